"""What the insurer issues to a member: phone tokens, 資格確認書 cards, activation codes and
the printed 資格情報のお知らせ."""

"""The 暗証番号 every activation code issued in a test gets (conftest's autouse ``known_pin``),
so tests can type it as a member types the one on their separate PIN sheet."""
TEST_PIN = "246810"

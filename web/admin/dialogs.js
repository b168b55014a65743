// A confirmation the server rendered open (<dialog open data-modal>) becomes modal: the page
// behind it is inert and Escape cancels (closes it; nothing is posted). Without this module
// the dialog still shows, open in the page, with the same two buttons.
for (const dialog of document.querySelectorAll('dialog[data-modal]')) {
  if (dialog.open) dialog.close();
  dialog.showModal();
}

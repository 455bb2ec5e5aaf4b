/**
 * Copy buttons: <button data-copy="ID" hidden> copies the text of the element with that id.
 * The button stays hidden without JavaScript or a clipboard; the address can still be selected.
 */
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  const source = document.getElementById(button.dataset.copy)
  const status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]')
  if (!source || !navigator.clipboard) return
  button.hidden = false
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      if (status) status.textContent = 'Copied'
    }, function () {
      if (status) status.textContent = 'Could not copy: select the address and copy it'
    })
  })
})

/**
 * Saves a questionnaire as the participant goes: each answer chosen is posted in the
 * background (the form still works without JavaScript, through its "Save" button).
 */
(function () {
  'use strict'
  var form = document.querySelector('form[data-autosave]')
  if (!form) {
    return
  }
  var status = document.getElementById('autosave-status')
  form.addEventListener('change', function () {
    var data = new FormData(form)
    data.set('action', 'save')
    fetch(form.getAttribute('action'), { method: 'POST', body: data, headers: { 'X-Autosave': '1' }, credentials: 'same-origin' })
      .then(function (response) {
        if (status) {
          status.textContent = response.ok ? 'Your answers are saved.' : 'Your answers could not be saved just now; use the Save button.'
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = 'Your answers could not be saved just now; use the Save button.'
        }
      })
  })
})()

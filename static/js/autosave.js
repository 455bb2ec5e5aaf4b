/**
 * Saves a questionnaire as the participant goes: each answer chosen is posted in the
 * background (the form still works without JavaScript, through its "Save" button).
 * Saves run one at a time, and a change made during a save is sent after it, so answers can
 * never arrive out of order; the status says "Saving…" until the latest answer is stored.
 */
(function () {
  'use strict'
  var form = document.querySelector('form[data-autosave]')
  if (!form) {
    return
  }
  var status = document.getElementById('autosave-status')
  var saving = false
  var again = false

  function say (text) {
    if (status) {
      status.textContent = text
    }
  }

  function save () {
    if (saving) {
      again = true
      return
    }
    saving = true
    var data = new FormData(form)
    data.set('action', 'save')
    fetch(form.getAttribute('action'), { method: 'POST', body: data, headers: { 'X-Autosave': '1' }, credentials: 'same-origin' })
      .then(function (response) { return response.ok })
      .catch(function () { return false })
      .then(function (ok) {
        saving = false
        if (again) {
          again = false
          save()
        } else {
          say(ok ? 'Your answers are saved.' : 'Your answers could not be saved just now; use the Save button.')
        }
      })
  }

  form.addEventListener('change', function () {
    say('Saving…')
    save()
  })
})()

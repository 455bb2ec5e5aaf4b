/**
 * Starts GOV.UK Frontend's components on every page.
 *
 * GOV.UK's page template marks <body> with `govuk-frontend-supported` from an
 * inline script; our Content Security Policy forbids inline script, so this
 * module does it instead. Module scripts only run in browsers that support ES
 * modules, which is exactly the test GOV.UK Frontend's own snippet makes.
 */
import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initAll()

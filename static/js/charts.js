/**
 * Draws every <canvas data-chart='{"type": ..., "labels": [...], "datasets": [...]}'>
 * with the vendored Chart.js (window.Chart).
 *
 * Each chart sits beside a table of the same numbers, so a chart that cannot
 * be drawn is left out quietly rather than reported to the user.
 * Load after chart.umd.min.js, both with `defer`.
 */
(function () {
  'use strict'

  // GOV.UK Frontend palette: dark blue, green, orange, purple, turquoise, red.
  var COLOURS = ['#1d70b8', '#00703c', '#f47738', '#4c2c92', '#28a197', '#d4351c']

  function draw (canvas) {
    var spec
    try {
      spec = JSON.parse(canvas.getAttribute('data-chart'))
    } catch (error) {
      console.error('data-chart is not valid JSON', canvas, error)
      return
    }
    var datasets = (spec.datasets || []).map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length]
      return Object.assign({ backgroundColor: colour, borderColor: colour }, dataset)
    })
    var options = Object.assign({
      responsive: true,
      maintainAspectRatio: false,
      animation: false
    }, spec.options || {})
    // Lines that only draw a bound (a dataset with "hideInLegend") stay out of the legend, which
    // on a phone would otherwise take the chart's whole height.
    options.plugins = Object.assign({}, options.plugins)
    options.plugins.legend = Object.assign({
      labels: {
        filter: function (item, data) {
          return !data.datasets[item.datasetIndex].hideInLegend
        }
      }
    }, options.plugins.legend)
    new window.Chart(canvas, {
      type: spec.type || 'bar',
      data: { labels: spec.labels || [], datasets: datasets },
      options: options
    })
  }

  function drawAll () {
    if (typeof window.Chart !== 'function') {
      return
    }
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily
    window.Chart.defaults.font.size = 14
    window.Chart.defaults.color = '#0b0c0c'
    document.querySelectorAll('canvas[data-chart]').forEach(draw)
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', drawAll)
  } else {
    drawAll()
  }
})()

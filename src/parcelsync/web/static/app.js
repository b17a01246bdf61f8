// parcelsync dashboard: the few behaviours htmx attributes do not cover (no inline scripts, no build step).
(function () {
  "use strict";

  function autosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  function charts() {
    var holder = document.getElementById("chart-data");
    if (!holder || typeof window.Chart === "undefined") return;
    var data = JSON.parse(holder.textContent);
    var css = getComputedStyle(document.documentElement);
    var blue = css.getPropertyValue("--accent").trim() || "#2454d6";
    var green = css.getPropertyValue("--ok").trim() || "#18794e";
    var amber = "#d99a00";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = css.getPropertyValue("--muted").trim() || "#5f6b7d";
    // A fresh options object per chart: Chart.js resolves scale defaults into the object it is given.
    function options() {
      return {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } }
      };
    }
    var daily = document.getElementById("chart-daily");
    if (daily) {
      new Chart(daily, {
        type: "line",
        data: {
          labels: data.daily.labels,
          datasets: [
            { label: "Shipped", data: data.daily.shipped, borderColor: blue, backgroundColor: blue, cubicInterpolationMode: "monotone", pointRadius: 2 },
            { label: "Delivered", data: data.daily.delivered, borderColor: green, backgroundColor: green, cubicInterpolationMode: "monotone", pointRadius: 2 }
          ]
        },
        options: options()
      });
    }
    var times = document.getElementById("chart-times");
    if (times) {
      new Chart(times, {
        type: "bar",
        data: {
          labels: data.times.labels,
          datasets: [
            { label: "Median days", data: data.times.median, backgroundColor: blue },
            { label: "90th percentile days", data: data.times.p90, backgroundColor: amber }
          ]
        },
        options: options()
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit(document);
    charts();
  });
  document.addEventListener("htmx:afterSwap", function (evt) { autosubmit(evt.target); });
})();

// Timeline: the phase checkboxes show or hide that phase's markers, table rows and lists.
"use strict";

(function () {
  const legend = document.getElementById("timeline-legend");
  if (!legend) return;
  legend.addEventListener("change", function (event) {
    const box = event.target;
    if (!box.matches("input[data-phase]")) return;
    document.querySelectorAll('main [data-phase="' + box.dataset.phase + '"]').forEach(function (el) {
      if (el !== box) el.classList.toggle("is-hidden", !box.checked);
    });
  });
})();

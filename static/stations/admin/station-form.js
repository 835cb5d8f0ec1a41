/* Station editor: show fields only where they apply.
 *
 * "Partner business type" is for partner businesses, "property-management
 * company" for stations entrusted to one. Hidden rows keep their inputs, so
 * the server still validates exactly what was posted.
 */
(function () {
  "use strict";

  // [controlling select, value that shows the row, row to show]
  var RULES = [
    ["id_kind", "partner", ".field-partner_type"],
    ["id_operator", "property", ".field-operator_company"],
  ];

  function apply(select, value, row) {
    var shown = select.value === value;
    row.hidden = !shown;
    row.classList.toggle("hidden", !shown);
  }

  function start() {
    RULES.forEach(function (rule) {
      var select = document.getElementById(rule[0]);
      var row = document.querySelector(rule[2]);
      if (!select || !row) {
        return;
      }
      select.addEventListener("change", function () { apply(select, rule[1], row); });
      // A row with an error stays visible at first: the message must be seen.
      if (!row.querySelector(".errorlist")) {
        apply(select, rule[1], row);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

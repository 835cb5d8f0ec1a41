/* Station editor: the weekly opening-hours rows.
 *
 * The form posts plain fields (see OpeningHoursWidget), so this only makes
 * the rows pleasant: hide the days under 24/7, show time inputs only for days
 * that are open at set times, add/remove spans, copy the first day to all,
 * and mark spans that run past midnight.
 */
(function () {
  "use strict";

  function spanRows(row) {
    return row.querySelectorAll("[data-hours-span]");
  }

  function modeOf(row) {
    var checked = row.querySelector("[data-hours-mode]:checked");
    return checked ? checked.value : "closed";
  }

  function setMode(row, value) {
    var radios = row.querySelectorAll("[data-hours-mode]");
    for (var i = 0; i < radios.length; i++) {
      radios[i].checked = radios[i].value === value;
    }
  }

  function refresh(row) {
    row.dataset.mode = modeOf(row);
    var spans = spanRows(row);
    for (var i = 0; i < spans.length; i++) {
      var times = spans[i].querySelectorAll("input[type=time]");
      var hint = spans[i].querySelector("[data-hours-next-day]");
      // A close at or before the opening time is on the next day; 00:00 is plain midnight.
      hint.hidden = !(times[0].value && times[1].value && times[1].value !== "00:00" &&
                      times[1].value <= times[0].value);
    }
  }

  function addSpan(row, start, end) {
    var spans = spanRows(row);
    var template = spans[spans.length - 1];
    var copy = template.cloneNode(true);
    var times = copy.querySelectorAll("input[type=time]");
    times[0].value = start || "";
    times[1].value = end || "";
    template.parentNode.appendChild(copy);
    return copy;
  }

  function removeSpan(row, span) {
    if (spanRows(row).length > 1) {
      span.parentNode.removeChild(span);
    } else {
      var times = span.querySelectorAll("input[type=time]");
      times[0].value = "";
      times[1].value = "";
    }
  }

  function copyToAll(editor, source) {
    var mode = modeOf(source);
    var values = [];
    var spans = spanRows(source);
    for (var i = 0; i < spans.length; i++) {
      var times = spans[i].querySelectorAll("input[type=time]");
      values.push([times[0].value, times[1].value]);
    }
    var rows = editor.querySelectorAll("[data-hours-day]");
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r];
      if (row === source) {
        continue;
      }
      setMode(row, mode);
      var existing = spanRows(row);
      for (var k = existing.length - 1; k > 0; k--) {
        existing[k].parentNode.removeChild(existing[k]);
      }
      var first = spanRows(row)[0].querySelectorAll("input[type=time]");
      first[0].value = values[0][0];
      first[1].value = values[0][1];
      for (var v = 1; v < values.length; v++) {
        addSpan(row, values[v][0], values[v][1]);
      }
      refresh(row);
    }
  }

  function setup(editor) {
    var always = editor.querySelector("[data-hours-always]");
    var table = editor.querySelector("[data-hours-days]");
    function syncAlways() {
      table.hidden = always.checked;
    }
    always.addEventListener("change", syncAlways);

    var rows = editor.querySelectorAll("[data-hours-day]");
    for (var i = 0; i < rows.length; i++) {
      (function (row) {
        row.addEventListener("change", function () { refresh(row); });
        row.addEventListener("input", function () { refresh(row); });
        row.addEventListener("click", function (event) {
          var button = event.target.closest("button");
          if (!button) {
            return;
          }
          if (button.hasAttribute("data-hours-add")) {
            setMode(row, "spans");
            addSpan(row).querySelector("input[type=time]").focus();
          } else if (button.hasAttribute("data-hours-remove")) {
            removeSpan(row, button.closest("[data-hours-span]"));
          } else if (button.hasAttribute("data-hours-copy")) {
            copyToAll(editor, row);
          }
          refresh(row);
        });
        refresh(row);
      })(rows[i]);
    }
    syncAlways();
    editor.classList.add("js-ready");
  }

  function start() {
    var editors = document.querySelectorAll("[data-hours-editor]");
    for (var i = 0; i < editors.length; i++) {
      setup(editors[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Sortable tables, as a progressive enhancement: without this script the
// report reads the same, in the order minpriv wrote it. A click on a
// column header sorts by that column; a second click reverses.
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function text(row, column) {
    var cell = row.cells[column];
    return cell ? (cell.getAttribute("data-sort") || cell.textContent).trim() : "";
  }
  function sortBy(table, th, column) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var heads = th.parentNode.cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    for (var b = 0; b < table.tBodies.length; b++) {
      var body = table.tBodies[b];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (x, y) {
        var order = collator.compare(text(x, column), text(y, column));
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.title = "Sort by this column";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, column); });
    });
    table.setAttribute("data-sortable", "ready");
  });
})();

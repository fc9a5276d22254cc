/* The record tabs, as the ARIA tabs pattern has them: one tab in the Tab order (the selected
 * one), arrow keys, Home and End move between tabs and select them. */

function tabButtons() { return Array.prototype.slice.call(document.querySelectorAll("[role=tab][data-tab]")); }

function showTab(name, focus) {
  tabButtons().forEach(function (tab) {
    var selected = tab.getAttribute("data-tab") === name;
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
    if (selected && focus) tab.focus();
  });
}

function bindTabs() {
  var tabs = tabButtons();
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () {
      setState({ tab: tab.getAttribute("data-tab") });
      showTab(state.tab, false);
    });
    tab.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(i + 1) % tabs.length];
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (!next) return;
      event.preventDefault();
      setState({ tab: next.getAttribute("data-tab") });
      showTab(state.tab, true);
    });
  });
  showTab(state.tab, false);
}

function setCount(tab, count) {
  var node = $("db-count-" + tab);
  var shown = count ? "(" + count + ")" : "";
  if (node.textContent !== shown) node.textContent = shown;
}

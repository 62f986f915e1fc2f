// The query editor: YASGUI bound to this server's endpoint, offline.
// Autocompletion is limited to what needs no network (prefixes from YASQE's built-in list,
// the query's own variables); class/property completion would call an external service.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("ui-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: [],
    },
    persistenceId: "ctgraph-query-editor",
    tabName: "Query",
    yasqe: {
      value: config.defaultQuery,
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: null,
      collapsePrefixesOnLoad: true,
      resizeable: true,
      editorHeight: "320px",
      screenReaderLabel: "SPARQL query",
    },
    yasr: {
      prefixes: config.prefixes,
      pluginOrder: ["table", "response"],
      defaultPlugin: "table",
    },
  });

  // Name YASGUI's unlabelled inputs for assistive technology (endpoint field, tab renaming),
  // now and whenever it draws new ones.
  function labelInputs() {
    document.querySelectorAll("#yasgui input.autocomplete:not([aria-label])").forEach(
      function (input) { input.setAttribute("aria-label", "SPARQL endpoint"); });
    document.querySelectorAll("#yasgui .tabsList input:not([aria-label])").forEach(
      function (input) { input.setAttribute("aria-label", "Tab name"); });
    document.querySelectorAll("#yasgui select.tableSizer:not([aria-label])").forEach(
      function (select) { select.setAttribute("aria-label", "Rows per page"); });
    document.querySelectorAll("#yasgui .yasr input:not([aria-label])").forEach(function (input) {
      const hint = input.getAttribute("placeholder") || input.getAttribute("title");
      if (hint) input.setAttribute("aria-label", hint);
    });
    document.querySelectorAll("#yasgui textarea:not([aria-label])").forEach(
      function (area) { area.setAttribute("aria-label", "SPARQL query"); });
  }
  labelInputs();
  new MutationObserver(labelInputs).observe(document.getElementById("yasgui"),
                                            { childList: true, subtree: true });

  // Tabs restored from an earlier visit may point at another server: use this one.
  Object.values(yasgui._tabs || {}).forEach(function (tab) {
    if (tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  });

  const form = document.getElementById("example-form");
  if (!form) return;
  const select = document.getElementById("example-select");
  const description = document.getElementById("example-description");
  const byName = new Map(config.examples.map(function (ex) { return [ex.name, ex]; }));

  function describe() {
    const ex = byName.get(select.value);
    description.textContent = ex ? ex.description : "";
  }
  select.addEventListener("change", describe);
  describe();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const ex = byName.get(select.value);
    if (!ex) return;
    const tab = yasgui.addTab(true, {
      name: ex.title.length > 40 ? ex.title.slice(0, 39) + "…" : ex.title,
      requestConfig: Object.assign({}, yasgui.config.requestConfig, { endpoint: endpoint }),
      yasqe: { value: ex.query },
    });
    tab.setQuery(ex.query);
    tab.show();
  });
})();

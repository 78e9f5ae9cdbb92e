// contact-gateway: start GraphiQL against this gateway's /graphql, one tab per example.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var tabs = examples.map(function (example) { return { query: example.query }; });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      defaultEditorToolsVisibility: false,
      shouldPersistHeaders: false,
    })
  );
})();

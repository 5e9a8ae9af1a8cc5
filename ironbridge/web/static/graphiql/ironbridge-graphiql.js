/* Ironbridge GraphiQL bootstrap: reads the page configuration and mounts GraphiQL. */
(function () {
  "use strict";

  var configElement = document.getElementById("ironbridge-graphiql-config");
  var config = JSON.parse(configElement.textContent);

  var endpointUrl = new URL(config.endpoint, window.location.href);
  endpointUrl.hash = "";
  var subscriptionUrl = new URL(endpointUrl.href);
  subscriptionUrl.protocol = endpointUrl.protocol === "https:" ? "wss:" : "ws:";

  // Queries and mutations are POSTed to the endpoint; subscriptions use the
  // graphql-transport-ws protocol, with the headers editor contents sent as
  // the connection_init payload.
  var fetcher = GraphiQL.createFetcher({
    url: endpointUrl.href,
    subscriptionUrl: subscriptionUrl.href,
  });

  // GraphiQL keeps query history and favourites in localStorage together with
  // the headers they ran with; blank the headers so tokens are never written
  // to disk. Everything else is stored unchanged.
  function stripHeaders(value) {
    var parsed;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      return value;
    }
    if (parsed === null || typeof parsed !== "object") {
      return value;
    }
    Object.keys(parsed).forEach(function (key) {
      if (Array.isArray(parsed[key])) {
        parsed[key].forEach(function (entry) {
          if (entry !== null && typeof entry === "object" && "headers" in entry) {
            entry.headers = null;
          }
        });
      }
    });
    return JSON.stringify(parsed);
  }

  var storage = {
    getItem: function (key) {
      return window.localStorage.getItem(key);
    },
    setItem: function (key, value) {
      window.localStorage.setItem(key, stripHeaders(value));
    },
    removeItem: function (key) {
      window.localStorage.removeItem(key);
    },
    clear: function () {
      window.localStorage.clear();
    },
    get length() {
      return window.localStorage.length;
    },
  };

  var plugins = [];
  if (window.GraphiQLPluginExplorer) {
    plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());
  }

  var props = {
    fetcher: fetcher,
    plugins: plugins,
    storage: storage,
    isHeadersEditorEnabled: true,
    // Credentials typed into the headers editor stay out of localStorage.
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
  };
  if (typeof config.defaultHeaders === "string") {
    props.defaultHeaders = config.defaultHeaders;
    props.defaultEditorToolsVisibility = "headers";
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, props));
})();

// The dashboard: every connection with its sync health, a page per connection, live updates.
import { ApiError, Subscriptions, graphql, readConfig } from "./api.js";
import { runChart, runTable } from "./chart.js";
import {
  announce,
  badge,
  formatDate,
  formatNumber,
  h,
  humanize,
  monogram,
  replace,
  timeCell,
} from "./dom.js";

const KEY_STORAGE = "ironbridge.adminKey";
const CONNECTION_FIELDS = `id displayName instanceUrl sandbox status statusReason statusChangedAt createdAt
  system { key name categories }
  syncSettings { paused intervalMinutes }
  syncStatus { state lastSuccessfulSyncAt lastSyncStartedAt nextScheduledSyncAt consecutiveFailures
    errors { code message at entity }
    entities { entity state lastSuccessfulSyncAt recordCount lastError { code message at } } }`;
const LIST = `query DashboardList { connections(first: 500) { totalCount nodes { ${CONNECTION_FIELDS} } } }`;
const ONE = `query DashboardConnection($id: ID!) { node(id: $id) { ... on Connection { ${CONNECTION_FIELDS} } } }`;
const DETAIL = `query DashboardDetail($id: ID!) { node(id: $id) { ... on Connection { ${CONNECTION_FIELDS}
  syncRuns(first: 30) { totalCount nodes { id mode trigger state startedAt finishedAt recordsFetched
    recordsCreated recordsUpdated recordsDeleted recordsFailed errors { message } } } } } }`;
const STATUS_EVENTS = `subscription DashboardStatus($id: ID) { connectionStatusChanged(connectionId: $id) {
  status previousStatus reason connection { id } } }`;
const SYNC_EVENTS = `subscription DashboardSync($id: ID) { syncStatusChanged(connectionId: $id) {
  connectionId kind run { id state recordsFetched } } }`;
const TRIGGER = `mutation SyncNow($id: ID!) { triggerSync(connectionId: $id) { id state } }`;
const PAUSE = `mutation Pause($id: ID!, $paused: Boolean!) {
  updateSyncSettings(connectionId: $id, input: { paused: $paused }) { id syncSettings { paused } } }`;
const DISCONNECT = `mutation Disconnect($id: ID!) { disconnect(connectionId: $id) { id status } }`;

const config = readConfig();
const main = document.getElementById("main");
const liveRegion = document.getElementById("dashboard-live");
const indicator = document.getElementById("live-indicator");
const signOutButton = document.getElementById("sign-out");
let adminKey = sessionStorage.getItem(KEY_STORAGE) || "";
let subscriptions = null;

function api(query, variables) {
  return graphql(config.graphqlPath, adminKey, query, variables);
}

function recordTotal(connection) {
  return connection.syncStatus.entities.reduce((sum, e) => sum + e.recordCount, 0);
}

function lastError(connection) {
  const errors = connection.syncStatus.errors;
  if (errors.length) return errors[0];
  return connection.syncStatus.entities.map((e) => e.lastError).find(Boolean) || null;
}

function hostOf(connection) {
  if (connection.sandbox) return "Sample data";
  try {
    return new URL(connection.instanceUrl).host;
  } catch {
    return connection.instanceUrl;
  }
}

function nameOf(connection) {
  return connection.displayName || connection.system.name;
}

function errorBox(error) {
  return h(
    "div",
    { class: "alert alert-error", role: "alert", "data-code": error.code || "INTERNAL" },
    h("p", { class: "alert-title" }, error.message),
    error.requestId ? h("p", { class: "alert-ref" }, `Reference: ${error.requestId}`) : null,
  );
}

function setLiveState(state) {
  indicator.hidden = false;
  indicator.dataset.state = state;
  indicator.textContent = { live: "Live", connecting: "Connecting…", offline: "Reconnecting…" }[state];
}

function signOut() {
  sessionStorage.removeItem(KEY_STORAGE);
  adminKey = "";
  if (subscriptions) subscriptions.close();
  subscriptions = null;
  signOutButton.hidden = true;
  indicator.hidden = true;
  showSignIn();
}

signOutButton.addEventListener("click", signOut);

// --- sign-in -----------------------------------------------------------------------------

function showSignIn(problem = null) {
  document.title = "Sign in · Ironbridge";
  const input = h("input", {
    class: "input",
    type: "password",
    id: "admin-key",
    name: "adminKey",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "admin-key-help",
    placeholder: "ib_admin_…",
  });
  const problemSlot = h("div", { "aria-live": "assertive" }, problem ? errorBox(problem) : null);
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to the dashboard"),
    h("p", { class: "muted" }, "Use an admin key. It stays in this browser tab only and is forgotten when you close it."),
    problemSlot,
    h(
      "div",
      { class: "field" },
      h("label", { for: "admin-key" }, "Admin key"),
      input,
      h("p", { class: "help", id: "admin-key-help" }, "Create one on the server with: ironbridge admin-key create"),
    ),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button button-primary" }, "Sign in")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      replace(problemSlot, errorBox({ message: "Enter your admin key.", code: "BAD_USER_INPUT" }));
      input.focus();
      return;
    }
    adminKey = key;
    try {
      await api("query { connections(first: 1) { totalCount } }");
    } catch (error) {
      adminKey = "";
      const message =
        error.code === "UNAUTHENTICATED"
          ? "That key is not valid: it is unknown, revoked or mistyped."
          : error.code === "FORBIDDEN"
            ? "That credential is not an admin key."
            : error.message;
      replace(problemSlot, errorBox(new ApiError(message, { code: error.code })));
      input.focus();
      return;
    }
    sessionStorage.setItem(KEY_STORAGE, key);
    route();
  });
  replace(main, h("div", { class: "center" }, form));
  main.setAttribute("aria-busy", "false");
  input.focus();
}

// --- live updates ------------------------------------------------------------------------

function watch(connectionId, { onStatus, onSync }) {
  if (subscriptions) subscriptions.close();
  let wasOffline = false;
  subscriptions = new Subscriptions(config.graphqlPath, adminKey, {
    onState: (state) => {
      setLiveState(state);
      if (state === "offline") wasOffline = true;
      if (state === "live" && wasOffline) {
        wasOffline = false;
        onSync(null); // events may have been missed: refresh
      }
    },
    onAuthFailed: () => signOut(),
  });
  const variables = { id: connectionId || null };
  subscriptions.subscribe(STATUS_EVENTS, variables, { next: (data) => onStatus(data.connectionStatusChanged) });
  subscriptions.subscribe(SYNC_EVENTS, variables, { next: (data) => onSync(data.syncStatusChanged) });
}

// Coalesces bursts of events into one refresh per key.
function debounced(fn, wait = 250) {
  const timers = new Map();
  return (key, ...args) => {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        fn(key, ...args);
      }, wait),
    );
  };
}

// --- the list ----------------------------------------------------------------------------

function summaryTiles(list) {
  const count = (status) => list.filter((c) => c.status === status).length;
  const tiles = [
    ["Connections", list.length, "neutral", "total"],
    ["Active", count("ACTIVE"), "good", "active"],
    ["Unreachable", count("UNREACHABLE"), "bad", "unreachable"],
    ["Need reauthorization", count("REAUTH_REQUIRED"), "warn", "reauth"],
  ];
  return h(
    "div",
    { class: "tiles", id: "summary" },
    tiles.map(([label, value, tone, key]) =>
      h(
        "div",
        { class: `tile tile-${tone}`, "data-tile": key },
        h("span", { class: "tile-value" }, formatNumber(value)),
        h("span", { class: "tile-label" }, label),
      ),
    ),
  );
}

function connectionRow(connection) {
  const error = lastError(connection);
  const state = connection.syncStatus.state;
  return h(
    "tr",
    { "data-connection": connection.id, "data-status": connection.status },
    h(
      "td",
      {},
      h(
        "div",
        { class: "conn-cell" },
        monogram(connection.system.name, connection.system.key),
        h(
          "div",
          {},
          h("a", { class: "conn-name", href: `/dashboard/connections/${encodeURIComponent(connection.id)}` }, nameOf(connection)),
          h(
            "span",
            { class: "conn-sub" },
            nameOf(connection) === connection.system.name ? hostOf(connection) : connection.system.name,
            connection.sandbox ? h("span", { class: "tag tag-muted" }, "Sandbox") : null,
          ),
        ),
      ),
    ),
    h("td", { class: "status-cell" }, badge(connection.status), state === "IN_PROGRESS" ? h("span", { class: "syncing" }, "Syncing…") : null),
    h("td", {}, timeCell(connection.syncStatus.lastSuccessfulSyncAt)),
    h("td", {}, connection.syncSettings.paused ? h("span", { class: "muted" }, "Paused") : timeCell(connection.syncStatus.nextScheduledSyncAt, "Not scheduled")),
    h("td", { class: "num" }, formatNumber(recordTotal(connection))),
    h("td", { class: "error-cell" }, error ? h("span", { class: "error-text", title: formatDate(error.at) }, error.message) : h("span", { class: "muted" }, "None")),
  );
}

async function showList() {
  document.title = "Connections · Ironbridge";
  let data;
  try {
    data = await api(LIST);
  } catch (error) {
    if (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN") return signOut();
    replace(main, errorBox(error));
    return;
  }
  const byId = new Map(data.connections.nodes.map((c) => [c.id, c]));
  const tilesSlot = h("div", {});
  const body = h("tbody", {});
  const empty = h(
    "div",
    { class: "empty-state card" },
    h("h2", {}, "No connections yet"),
    h("p", { class: "muted" }, "Create a connect session through the API and send its link to your user; their connection appears here as soon as it is made."),
  );
  const table = h(
    "div",
    { class: "card table-card" },
    h(
      "table",
      { class: "table", id: "connections" },
      h("caption", { class: "visually-hidden" }, "Connections"),
      h(
        "thead",
        {},
        h("tr", {}, ["Connection", "Status", "Last successful sync", "Next sync", "Records", "Last error"].map((t) => h("th", { scope: "col", class: t === "Records" ? "num" : null }, t))),
      ),
      body,
    ),
  );
  const render = () => {
    const list = [...byId.values()].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    replace(tilesSlot, summaryTiles(list));
    replace(body, list.map(connectionRow));
    table.hidden = !list.length;
    empty.hidden = Boolean(list.length);
  };
  replace(
    main,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Connections"), h("p", { class: "muted" }, "Every connected system, its sync health and its latest problem."))),
    tilesSlot,
    table,
    empty,
  );
  render();
  main.setAttribute("aria-busy", "false");

  const refresh = debounced(async (id) => {
    try {
      const fresh = (await api(ONE, { id })).node;
      if (fresh) byId.set(id, fresh);
    } catch {
      return;
    }
    render();
  });
  const refreshAll = debounced(async () => {
    try {
      for (const c of (await api(LIST)).connections.nodes) byId.set(c.id, c);
    } catch {
      return;
    }
    render();
  });
  watch(null, {
    onStatus: (event) => {
      const known = byId.get(event.connection.id);
      if (known) {
        known.status = event.status;
        known.statusReason = event.reason;
        render();
        announce(liveRegion, `${nameOf(known)} is now ${humanize(event.status)}`);
      }
      refresh(event.connection.id);
    },
    onSync: (event) => {
      if (!event || !byId.has(event.connectionId)) {
        refreshAll("all");
        return;
      }
      if (event.kind === "started") {
        byId.get(event.connectionId).syncStatus.state = "IN_PROGRESS";
        render();
      }
      if (event.kind !== "progress") refresh(event.connectionId);
    },
  });
}

// --- one connection ----------------------------------------------------------------------

function detailItem(label, value) {
  return h("div", { class: "detail" }, h("dt", {}, label), h("dd", {}, value));
}

function entityTable(connection) {
  return h(
    "table",
    { class: "table", id: "entities" },
    h("caption", { class: "visually-hidden" }, "Status per entity"),
    h("thead", {}, h("tr", {}, ["Entity", "State", "Last successful sync", "Records", "Last error"].map((t) => h("th", { scope: "col", class: t === "Records" ? "num" : null }, t)))),
    h(
      "tbody",
      {},
      connection.syncStatus.entities.map((e) =>
        h(
          "tr",
          { "data-entity": e.entity },
          h("td", {}, humanize(e.entity)),
          h("td", {}, h("span", { class: `run-state run-${e.state.toLowerCase()}` }, humanize(e.state))),
          h("td", {}, timeCell(e.lastSuccessfulSyncAt)),
          h("td", { class: "num" }, formatNumber(e.recordCount)),
          h(
            "td",
            { class: "error-cell" },
            e.lastError
              ? h("span", { class: "error-text", title: e.lastError.message }, e.lastError.message)
              : h("span", { class: "muted" }, "None"),
          ),
        ),
      ),
    ),
  );
}

async function showConnection(id) {
  let connection;
  const actionSlot = h("div", { class: "alert-slot", "aria-live": "polite" });
  const view = h("div", {});
  const load = async () => {
    try {
      connection = (await api(DETAIL, { id })).node;
    } catch (error) {
      if (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN") return signOut();
      replace(view, errorBox(error));
      return;
    }
    if (!connection) {
      replace(view, errorBox({ message: "There is no such connection.", code: "NOT_FOUND" }));
      return;
    }
    render();
  };
  // one reload for an action and the events it causes, whichever comes first
  const refresh = debounced(() => load());
  const act = async (button, query, variables, done) => {
    button.disabled = true;
    actionSlot.replaceChildren();
    try {
      await api(query, variables);
      announce(liveRegion, done);
    } catch (error) {
      actionSlot.append(errorBox(error));
    } finally {
      button.disabled = false;
    }
    refresh("one");
  };
  const confirmDisconnect = () => {
    const panel = h(
      "div",
      { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-text" },
      h("p", { id: "confirm-title", class: "alert-title" }, `Disconnect ${nameOf(connection)}?`),
      h("p", { id: "confirm-text" }, "Its token is revoked and syncing stops. The synced data is kept until you delete it."),
    );
    const yes = h("button", { type: "button", class: "button button-danger", id: "confirm-disconnect" }, "Disconnect");
    const no = h("button", { type: "button", class: "button" }, "Cancel");
    yes.addEventListener("click", () => act(yes, DISCONNECT, { id }, "Disconnected"));
    no.addEventListener("click", () => panel.remove());
    panel.append(h("div", { class: "actions" }, no, yes));
    replace(actionSlot, panel);
    no.focus();
  };
  const render = () => {
    document.title = `${nameOf(connection)} · Ironbridge`;
    const status = connection.syncStatus;
    const disconnected = connection.status === "DISCONNECTED";
    const paused = connection.syncSettings.paused;
    const syncNow = h("button", { type: "button", class: "button button-primary", id: "sync-now", disabled: disconnected || status.state === "IN_PROGRESS" }, status.state === "IN_PROGRESS" ? "Syncing…" : "Sync now");
    syncNow.addEventListener("click", () => act(syncNow, TRIGGER, { id }, "Sync started"));
    const pause = h("button", { type: "button", class: "button", id: paused ? "resume" : "pause", disabled: disconnected }, paused ? "Resume syncing" : "Pause syncing");
    pause.addEventListener("click", () => act(pause, PAUSE, { id, paused: !paused }, paused ? "Syncing resumed" : "Syncing paused"));
    const disconnect = h("button", { type: "button", class: "button button-danger-ghost", id: "disconnect", disabled: disconnected }, "Disconnect");
    disconnect.addEventListener("click", confirmDisconnect);
    const runs = connection.syncRuns.nodes;
    const errors = status.errors;
    replace(
      view,
      h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/dashboard" }, "Connections"), h("span", { "aria-hidden": "true" }, " / "), h("span", { "aria-current": "page" }, nameOf(connection))),
      h(
        "div",
        { class: "page-head" },
        h(
          "div",
          { class: "conn-title" },
          monogram(connection.system.name, connection.system.key),
          h(
            "div",
            {},
            h("h1", {}, nameOf(connection), " ", badge(connection.status, { id: "connection-status" })),
            h("p", { class: "muted" }, connection.system.name, " · ", connection.sandbox ? "Sandbox" : connection.instanceUrl),
          ),
        ),
        h("div", { class: "actions" }, syncNow, pause, disconnect),
      ),
      actionSlot,
      connection.statusReason && connection.status !== "ACTIVE"
        ? h("div", { class: "alert alert-warn" }, h("p", { class: "alert-title" }, connection.statusReason))
        : null,
      h(
        "div",
        { class: "grid-2" },
        h(
          "section",
          { class: "card", "aria-labelledby": "sync-title" },
          h("h2", { id: "sync-title" }, "Sync"),
          h(
            "dl",
            { class: "details" },
            detailItem("State", h("span", { class: `run-state run-${status.state.toLowerCase()}`, id: "sync-state" }, humanize(status.state))),
            detailItem("Last successful sync", timeCell(status.lastSuccessfulSyncAt)),
            detailItem("Next scheduled sync", paused ? "Paused" : timeCell(status.nextScheduledSyncAt, "Not scheduled")),
            detailItem("Every", `${connection.syncSettings.intervalMinutes} minutes`),
            detailItem("Consecutive failures", String(status.consecutiveFailures)),
            detailItem("Records", formatNumber(recordTotal(connection))),
          ),
          errors.length
            ? h("div", { class: "alert alert-error compact" }, h("p", { class: "alert-title" }, "Latest run errors"), h("ul", {}, errors.slice(0, 5).map((e) => h("li", {}, h("span", { class: "error-text", title: e.message }, e.message)))))
            : null,
        ),
        h("section", { class: "card", "aria-labelledby": "entities-title" }, h("h2", { id: "entities-title" }, "Entities"), entityTable(connection)),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "runs-title" },
        h("div", { class: "card-head" }, h("h2", { id: "runs-title" }, "Sync runs"), h("span", { class: "muted" }, `${formatNumber(connection.syncRuns.totalCount)} in total, latest ${runs.length} shown`)),
        runs.length ? runChart(runs) : h("p", { class: "muted" }, "No sync runs yet."),
        runs.length ? h("details", { class: "table-toggle" }, h("summary", {}, "Show the runs as a table"), runTable(runs)) : null,
      ),
    );
    main.setAttribute("aria-busy", "false");
  };
  replace(main, view);
  await load();
  watch(id, {
    onStatus: (event) => {
      if (connection) {
        connection.status = event.status;
        connection.statusReason = event.reason;
        render();
        announce(liveRegion, `Status: ${humanize(event.status)}`);
      }
      refresh("one");
    },
    onSync: (event) => {
      if (event && event.kind === "started" && connection) {
        connection.syncStatus.state = "IN_PROGRESS";
        render();
      }
      if (!event || event.kind !== "progress") refresh("one");
    },
  });
}

// --- start -------------------------------------------------------------------------------

function route() {
  if (!adminKey) {
    showSignIn();
    return;
  }
  signOutButton.hidden = false;
  if (config.connectionId) showConnection(config.connectionId);
  else showList();
}

route();

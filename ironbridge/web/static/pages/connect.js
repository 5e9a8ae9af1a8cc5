// The connect page: pick a system, fill its form, watch the connection being made.
import { ApiError, Subscriptions, graphql, readConfig } from "./api.js";
import { announce, h, monogram, replace } from "./dom.js";

const SYSTEMS = `query ConnectCatalog {
  connectSession { systemKeys redirectUrl }
  systems { key name vendor categories description authMethod sandboxOnly creditCost
    authFields { name label secret required placeholder help } }
}`;
const CONNECT = `mutation Connect($input: ConnectInput!) {
  connect(input: $input) { token connection { id displayName system { key name } } }
}`;
const FIRST_RUN = `query FirstRun { connection { syncStatus { state lastSuccessfulSyncAt }
  syncRuns(first: 1) { nodes { state recordsFetched finishedAt } } } }`;
const SYNC_EVENTS = `subscription FirstSync { syncStatusChanged { kind run { state recordsFetched } } }`;
const FIRST_SYNC_WAIT_MS = 20000;
const REDIRECT_DELAY_MS = 2500;
const DONE_STATES = new Set(["COMPLETED", "COMPLETED_WITH_WARNINGS", "FAILED"]);

const config = readConfig();
const params = new URLSearchParams(window.location.search);
const sessionToken = params.get("session") || "";
const root = document.getElementById("connect-root");
const body = document.getElementById("connect-body");
const title = document.getElementById("connect-title");
const live = document.getElementById("connect-live");
const closeButton = document.getElementById("connect-close");
const embedded = Boolean(window.opener) || window.parent !== window;

let systems = [];
let query = "";
let category = "";
// what the app chose when it made the session, as `connectSession` tells the page
let session = { systemKeys: null, redirectUrl: null };
let sessionKnown;
const sessionLoaded = new Promise((resolve) => {
  sessionKnown = resolve;
});

// --- messages to the embedding app -------------------------------------------------------

function originOf(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

function redirectTarget() {
  if (!session.redirectUrl || !originOf(session.redirectUrl)) return null;
  return new URL(session.redirectUrl);
}

// The documented rule: the session's redirect URL, else the `origin` parameter, else the
// referrer; never "*".
function targetOrigin() {
  return (
    (session.redirectUrl && originOf(session.redirectUrl)) ||
    (params.get("origin") && originOf(params.get("origin"))) ||
    (document.referrer && originOf(document.referrer)) ||
    null
  );
}

// Waits until the session is known (or cannot be), so the redirect URL's origin always wins.
async function notify(message) {
  await sessionLoaded;
  const origin = targetOrigin();
  const targets = [window.opener, window.parent !== window ? window.parent : null].filter(Boolean);
  if (!origin || !targets.length) return;
  for (const target of targets) {
    try {
      target.postMessage(message, origin);
    } catch {
      // the other window went away; nothing to tell
    }
  }
}

if (embedded) {
  closeButton.hidden = false;
  closeButton.addEventListener("click", async () => {
    await notify({ type: "ironbridge.closed" });
    if (window.opener) window.close();
  });
}

// --- error messages ----------------------------------------------------------------------

function explain(error, system) {
  const name = (system && system.name) || "The system";
  const code = error instanceof ApiError ? error.code : "INTERNAL";
  const table = {
    CREDENTIALS_REJECTED: {
      title: `${name} refused these credentials`,
      next: "Check the user name and password (and any other field) for typos, then try again. If they are right, ask your system administrator whether this user is active and allowed to use the API.",
    },
    SYSTEM_UNREACHABLE: {
      title: `We could not reach ${name}`,
      next: "Check the instance URL. If the system is on your company network, it must be reachable from Ironbridge. Try again in a few minutes.",
    },
    RATE_LIMITED: {
      title: `${name} asked us to slow down`,
      next: error.retryAfter
        ? `Wait about ${error.retryAfter} seconds, then try again.`
        : "Wait a minute, then try again.",
    },
    BAD_USER_INPUT: {
      title: "Please check the form",
      next: "Correct the highlighted field and submit again.",
    },
    QUOTA_EXCEEDED: {
      title: "No connection credits left",
      next: "Ask the administrator of the app that sent you here to free or add connection credits, then try again.",
    },
    FORBIDDEN: {
      title: "This link cannot connect that system",
      next: "Go back to the app that sent you here and start again from there.",
    },
    UNAUTHENTICATED: {
      title: "This link has expired or was already used",
      next: "Go back to the app that sent you here and start the connection again: you will get a fresh link.",
    },
    NETWORK: {
      title: "Ironbridge could not be reached",
      next: "Check your internet connection and try again.",
    },
  };
  const known = table[code] || {
    title: "Something went wrong on our side",
    next: "Try again in a moment. If it keeps happening, contact support and quote the reference below.",
  };
  return { ...known, code, message: withoutTitle(error.message, known.title), requestId: error.requestId };
}

// The server's message often opens with the sentence the title already says: keep the rest.
function withoutTitle(message, title) {
  const text = String(message || "");
  if (!text.toLowerCase().startsWith(title.toLowerCase())) return text;
  const rest = text.slice(title.length).replace(/^[.:]?\s*/, "");
  return rest || text;
}

function errorPanel(explained, { onRetry, retryLabel = "Try again" } = {}) {
  return h(
    "div",
    { class: "alert alert-error", role: "alert", "data-code": explained.code, tabindex: "-1" },
    h("h2", { class: "alert-title" }, explained.title),
    h("p", { class: "alert-message" }, explained.message),
    h("p", { class: "alert-next" }, h("strong", {}, "What to do: "), explained.next),
    explained.requestId && explained.code !== "BAD_USER_INPUT"
      ? h("p", { class: "alert-ref" }, `Reference: ${explained.requestId}`)
      : null,
    onRetry
      ? h("div", { class: "actions" }, h("button", { type: "button", class: "button", onclick: onRetry }, retryLabel))
      : null,
  );
}

function fatal(error) {
  root.setAttribute("aria-busy", "false");
  const explained = explain(error, null);
  replace(body, errorPanel(explained));
  title.textContent = "We can't continue";
  announce(live, `${explained.title}. ${explained.next}`);
  notify({ type: "ironbridge.connect_failed", code: explained.code, message: explained.message });
}

// --- the catalog -------------------------------------------------------------------------

function categoriesOf(list) {
  const seen = new Set();
  for (const system of list) for (const c of system.categories) seen.add(c);
  return ["ERP", "MES", "CMMS", "EAM", "WMS"].filter((c) => seen.has(c));
}

function matches(system) {
  if (category && !system.categories.includes(category)) return false;
  if (!query) return true;
  const text = [system.name, system.vendor, system.key, system.description, ...system.categories]
    .join(" ")
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

function systemCard(system) {
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: "system-card",
        "data-system": system.key,
        onclick: () => showForm(system),
      },
      monogram(system.name, system.key),
      h(
        "span",
        { class: "system-text" },
        h("span", { class: "system-name" }, system.name),
        h("span", { class: "system-vendor" }, system.vendor || ""),
        h("span", { class: "system-tags" }, system.categories.map((c) => h("span", { class: "tag" }, c))),
      ),
      h("span", { class: "chevron", "aria-hidden": "true" }, "›"),
    ),
  );
}

function showCatalog() {
  title.textContent = "Connect your system";
  const results = h("ul", { class: "system-grid", id: "system-list", "aria-label": "Systems" });
  const count = h("p", { class: "muted result-count", "aria-live": "polite" });
  const render = () => {
    const found = systems.filter(matches);
    replace(results, found.map(systemCard));
    if (!found.length) {
      results.append(h("li", { class: "empty" }, "No system matches your search."));
    }
    count.textContent = `${found.length} ${found.length === 1 ? "system" : "systems"}`;
  };
  const search = h("input", {
    type: "search",
    id: "system-search",
    class: "input",
    placeholder: "Search by name, vendor or category",
    autocomplete: "off",
    value: query,
    oninput: (event) => {
      query = event.target.value.trim();
      render();
    },
  });
  const chips = h(
    "div",
    { class: "chips", role: "group", "aria-label": "Filter by category" },
    ["", ...categoriesOf(systems)].map((c) =>
      h(
        "button",
        {
          type: "button",
          class: "chip",
          "aria-pressed": String(c === category),
          "data-category": c || "ALL",
          onclick: (event) => {
            category = c;
            for (const chip of chips.querySelectorAll(".chip")) {
              chip.setAttribute("aria-pressed", String(chip === event.currentTarget));
            }
            render();
          },
        },
        c || "All",
      ),
    ),
  );
  replace(
    body,
    h("p", { class: "lede" }, "Choose the system your company uses. You will need a user that may access its API."),
    h(
      "div",
      { class: "search-row" },
      h("label", { for: "system-search", class: "visually-hidden" }, "Search systems"),
      search,
    ),
    chips,
    count,
    results,
  );
  render();
}

// --- the form ----------------------------------------------------------------------------

function fieldRow({ id, label, input, control = input, help, required }) {
  const helpId = help ? `${id}-help` : null;
  const errorId = `${id}-error`;
  input.id = id;
  const described = [helpId, errorId].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", described);
  if (required) input.required = true;
  return h(
    "div",
    { class: "field", "data-field": id },
    h("label", { for: id }, label, required ? null : h("span", { class: "optional" }, " (optional)")),
    control,
    help ? h("p", { class: "help", id: helpId }, help) : null,
    h("p", { class: "field-error", id: errorId, hidden: true }),
  );
}

function secretInput(field) {
  const input = h("input", {
    class: "input",
    type: "password",
    name: field.name,
    autocomplete: "off",
    placeholder: field.placeholder || null,
    spellcheck: "false",
  });
  const toggle = h(
    "button",
    {
      type: "button",
      class: "reveal",
      "aria-pressed": "false",
      "aria-label": `Show ${field.label}`,
      onclick: () => {
        const shown = input.type === "password";
        input.type = shown ? "text" : "password";
        toggle.setAttribute("aria-pressed", String(shown));
        toggle.setAttribute("aria-label", `${shown ? "Hide" : "Show"} ${field.label}`);
        toggle.textContent = shown ? "Hide" : "Show";
      },
    },
    "Show",
  );
  return { input, wrapped: h("div", { class: "secret" }, input, toggle) };
}

function showForm(system) {
  title.textContent = `Connect ${system.name}`;
  const needsInstance = !system.sandboxOnly;
  const inputs = new Map();
  const rows = [];
  if (needsInstance) {
    const input = h("input", {
      class: "input",
      type: "url",
      name: "instanceUrl",
      inputmode: "url",
      autocomplete: "url",
      placeholder: "https://erp.example.com",
    });
    inputs.set("instanceUrl", input);
    rows.push(
      fieldRow({
        id: "field-instanceUrl",
        label: "Instance URL",
        input,
        help: `The address you open ${system.name} at, or its API address.`,
        required: true,
      }),
    );
  }
  for (const field of system.authFields) {
    let input;
    let element;
    if (field.secret) {
      const secret = secretInput(field);
      input = secret.input;
      element = secret.wrapped;
    } else {
      input = h("input", {
        class: "input",
        type: "text",
        name: field.name,
        autocomplete: "off",
        spellcheck: "false",
        placeholder: field.placeholder || null,
      });
      element = input;
    }
    inputs.set(`credentials.${field.name}`, input);
    const row = fieldRow({
      id: `field-${field.name}`,
      label: field.label,
      input,
      control: element,
      help: field.help ? field.help.charAt(0).toUpperCase() + field.help.slice(1) : null,
      required: field.required,
    });
    rows.push(row);
  }
  const liveFields = h("div", { class: "live-fields" }, rows);
  const sandbox = h("input", { type: "checkbox", id: "field-sandbox", name: "sandbox" });
  sandbox.addEventListener("change", () => {
    liveFields.hidden = sandbox.checked;
    for (const input of inputs.values()) input.disabled = sandbox.checked;
  });
  const alertSlot = h("div", { class: "alert-slot" });
  const submit = h("button", { type: "submit", class: "button button-primary", id: "connect-submit" }, `Connect ${system.name}`);
  const form = h(
    "form",
    { class: "connect-form", novalidate: true, "aria-labelledby": "connect-title" },
    h(
      "div",
      { class: "chosen" },
      monogram(system.name, system.key),
      h(
        "div",
        {},
        h("p", { class: "system-name" }, system.name),
        h("p", { class: "muted" }, system.description || ""),
      ),
    ),
    alertSlot,
    system.sandboxOnly
      ? h("p", { class: "callout" }, "This system connects with sample data: there is nothing to fill in.")
      : [
          liveFields,
          h(
            "div",
            { class: "field field-check" },
            sandbox,
            h(
              "label",
              { for: "field-sandbox" },
              h("span", {}, "Try it with sample data"),
              h("span", { class: "help" }, "A sandbox connection with realistic records; no live system is contacted."),
            ),
          ),
        ],
    h(
      "div",
      { class: "actions" },
      systems.length > 1
        ? h("button", { type: "button", class: "button button-ghost", onclick: () => showCatalog() }, "Back")
        : null,
      submit,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    connect(system, { form, inputs, sandbox, alertSlot, submit });
  });
  replace(body, form);
  title.focus();
  const first = form.querySelector("input:not([type=checkbox])");
  if (first) first.focus();
}

function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const error of form.querySelectorAll(".field-error")) {
    error.hidden = true;
    error.textContent = "";
  }
}

function fieldError(input, message) {
  input.setAttribute("aria-invalid", "true");
  const error = document.getElementById(`${input.id}-error`);
  if (error) {
    error.textContent = message;
    error.hidden = false;
  }
}

function validate(system, { inputs, sandbox }) {
  if (system.sandboxOnly || sandbox.checked) return null;
  let first = null;
  for (const [name, input] of inputs) {
    if (input.required && !input.value.trim()) {
      const label = document.querySelector(`label[for="${input.id}"]`).firstChild.textContent;
      fieldError(input, `${label} is required.`);
      first = first || input;
    } else if (name === "instanceUrl" && !/^https?:\/\/\S+$/i.test(input.value.trim())) {
      fieldError(input, "Enter a full address starting with https:// (or http://).");
      first = first || input;
    }
  }
  return first;
}

// --- connecting, with honest progress ----------------------------------------------------

const STEPS = [
  ["reach", "Reaching the system"],
  ["check", "Checking credentials"],
  ["sync", "Starting the first sync"],
];

function progressList() {
  const list = h("ol", { class: "steps", id: "connect-steps", "aria-label": "Progress" });
  for (const [key, label] of STEPS) {
    list.append(
      h(
        "li",
        { class: "step", "data-step": key, "data-state": "todo" },
        h("span", { class: "step-icon", "aria-hidden": "true" }),
        h("span", { class: "step-label" }, label),
        h("span", { class: "step-detail" }),
      ),
    );
  }
  return list;
}

function setStep(list, key, state, detail = "") {
  const item = list.querySelector(`[data-step="${key}"]`);
  item.dataset.state = state;
  item.querySelector(".step-detail").textContent = detail;
  const label = item.querySelector(".step-label").textContent;
  const words = { active: "in progress", done: "done", failed: "failed" };
  if (words[state]) announce(live, `${label}: ${words[state]}${detail ? `. ${detail}` : ""}`);
}

async function connect(system, parts) {
  const { form, inputs, sandbox, alertSlot, submit } = parts;
  clearFieldErrors(form);
  alertSlot.replaceChildren();
  const invalid = validate(system, parts);
  if (invalid) {
    invalid.focus();
    return;
  }
  const useSandbox = system.sandboxOnly || sandbox.checked;
  const input = { systemKey: system.key, sandbox: useSandbox };
  if (!useSandbox) {
    input.instanceUrl = inputs.get("instanceUrl").value.trim();
    input.credentials = {};
    for (const [name, element] of inputs) {
      if (name.startsWith("credentials.") && element.value !== "") {
        input.credentials[name.slice("credentials.".length)] = element.value;
      }
    }
  }
  const steps = progressList();
  const panel = h("section", { class: "progress-panel", "aria-label": "Connecting" }, steps);
  form.after(panel);
  form.hidden = true;
  submit.disabled = true;
  root.setAttribute("aria-busy", "true");
  setStep(steps, "reach", "active");
  let result;
  try {
    result = (await graphql(config.graphqlPath, sessionToken, CONNECT, { input })).connect;
  } catch (error) {
    root.setAttribute("aria-busy", "false");
    failed(system, error, { form, panel, steps, inputs, alertSlot, submit });
    return;
  }
  setStep(steps, "reach", "done");
  setStep(steps, "check", "done");
  setStep(steps, "sync", "active");
  const first = await followFirstSync(result.token, (text) => setStep(steps, "sync", "active", text));
  setStep(steps, "sync", first.state === "FAILED" ? "failed" : "done", first.detail);
  root.setAttribute("aria-busy", "false");
  succeeded(system, result.connection, panel);
}

function failed(system, error, { form, panel, steps, inputs, alertSlot, submit }) {
  const explained = explain(error, system);
  const code = explained.code;
  if (code === "CREDENTIALS_REJECTED" || code === "RATE_LIMITED") {
    setStep(steps, "reach", "done");
    setStep(steps, "check", "failed");
  } else {
    setStep(steps, "reach", "failed");
  }
  notify({ type: "ironbridge.connect_failed", systemKey: system.key, code, message: explained.message });
  if (code === "UNAUTHENTICATED" || code === "FORBIDDEN" || code === "QUOTA_EXCEEDED") {
    const alert = errorPanel(explained);
    panel.after(alert);
    alert.focus();
    return;
  }
  const back = () => {
    panel.remove();
    form.hidden = false;
    submit.disabled = false;
    const target = error.field && inputs.get(error.field);
    if (target) target.focus();
  };
  const alert = errorPanel(explained, { onRetry: back, retryLabel: "Edit and try again" });
  panel.after(alert);
  alert.focus();
  const target = error.field && inputs.get(error.field);
  if (target) fieldError(target, explained.message);
  alertSlot.replaceChildren(
    h(
      "div",
      { class: "alert alert-error compact", "data-code": code },
      h("p", { class: "alert-title" }, explained.title),
      h("p", { class: "alert-message" }, explained.message),
      h("p", { class: "alert-next" }, explained.next),
    ),
  );
  alert.querySelector("button").addEventListener("click", () => alert.remove());
}

// Follows the first sync run with the new connection's token until it ends, or a short time.
function followFirstSync(token, onProgress) {
  return new Promise((resolve) => {
    const client = new Subscriptions(config.graphqlPath, token);
    let settled = false;
    const finish = (state, detail) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.close();
      resolve({ state, detail });
    };
    const timer = setTimeout(
      () => finish("IN_PROGRESS", "It keeps running in the background."),
      FIRST_SYNC_WAIT_MS,
    );
    const describe = (run) => {
      if (run.state === "FAILED") return "It will be retried automatically.";
      return `${run.recordsFetched.toLocaleString()} records`;
    };
    client.subscribe(SYNC_EVENTS, {}, {
      next: (data) => {
        const event = data.syncStatusChanged;
        if (event.kind === "finished" || DONE_STATES.has(event.run.state)) {
          finish(event.run.state, describe(event.run));
        } else {
          onProgress(`${event.run.recordsFetched.toLocaleString()} records so far`);
        }
      },
      error: () => finish("IN_PROGRESS", "It keeps running in the background."),
    });
    // the run may have ended before the subscription started
    graphql(config.graphqlPath, token, FIRST_RUN)
      .then((data) => {
        const run = data.connection.syncRuns.nodes[0];
        if (run && run.finishedAt && DONE_STATES.has(run.state)) finish(run.state, describe(run));
      })
      .catch(() => {});
  });
}

function succeeded(system, connection, panel) {
  title.textContent = `${system.name} is connected`;
  const redirect = redirectTarget();
  const card = h(
    "div",
    { class: "success", role: "status", id: "connect-success", tabindex: "-1" },
    h("span", { class: "success-icon", "aria-hidden": "true" }),
    h("h2", {}, "You're all set"),
    h(
      "p",
      {},
      `${connection.displayName || system.name} is connected. Its data is being synced and stays up to date automatically.`,
    ),
  );
  if (redirect) {
    redirect.searchParams.set("connectionId", connection.id);
    redirect.searchParams.set("systemKey", system.key);
    card.append(
      h("p", { class: "muted" }, `Taking you back to ${redirect.host}…`),
      h("div", { class: "actions" }, h("a", { class: "button button-primary", href: redirect.href }, "Continue")),
    );
  } else if (embedded) {
    card.append(
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "button button-primary",
            onclick: async () => {
              await notify({ type: "ironbridge.closed" });
              if (window.opener) window.close();
            },
          },
          "Done",
        ),
      ),
    );
  } else {
    card.append(h("p", { class: "muted" }, "You can close this window."));
  }
  panel.after(card);
  card.focus();
  notify({ type: "ironbridge.connected", connectionId: connection.id, systemKey: system.key });
  if (redirect) {
    window.setTimeout(() => {
      window.location.assign(redirect.href);
    }, REDIRECT_DELAY_MS);
  }
}

// --- start -------------------------------------------------------------------------------

async function start() {
  if (!sessionToken) {
    sessionKnown();
    fatal(
      new ApiError("This page was opened without a connect session.", { code: "UNAUTHENTICATED" }),
    );
    return;
  }
  try {
    const data = await graphql(config.graphqlPath, sessionToken, SYSTEMS);
    session = data.connectSession || session;
    const offered = new Set(session.systemKeys || []);
    systems = data.systems.filter((s) => !offered.size || offered.has(s.key));
  } catch (error) {
    sessionKnown();
    fatal(error);
    return;
  }
  sessionKnown();
  root.setAttribute("aria-busy", "false");
  if (systems.length === 1) showForm(systems[0]);
  else showCatalog();
}

start();

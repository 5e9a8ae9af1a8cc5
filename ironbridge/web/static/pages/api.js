// The public GraphQL API over fetch, and subscriptions over graphql-transport-ws.

export class ApiError extends Error {
  constructor(message, { code = "INTERNAL", field = null, requestId = null, retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

export function readConfig() {
  const element = document.getElementById("page-config");
  return element ? JSON.parse(element.textContent || "{}") : {};
}

function errorFrom(error) {
  const ext = (error && error.extensions) || {};
  return new ApiError((error && error.message) || "Something went wrong.", {
    code: ext.code || "INTERNAL",
    field: ext.field || null,
    requestId: ext.requestId || null,
    retryAfter: ext.retryAfter ?? null,
  });
}

// POSTs one operation; resolves to `data`, rejects with an ApiError carrying the first error's code.
export async function graphql(path, token, query, variables = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("Ironbridge could not be reached. Check your network and try again.", {
      code: "NETWORK",
    });
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Ironbridge answered with HTTP ${response.status}.`, { code: "INTERNAL" });
  }
  if (body.errors && body.errors.length) {
    throw errorFrom(body.errors[0]);
  }
  return body.data;
}

function websocketUrl(path) {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

// A small graphql-transport-ws client: one socket, many subscriptions, reconnects with backoff
// and re-subscribes. `onState` hears "connecting", "live" and "offline".
export class Subscriptions {
  constructor(path, token, { onState = () => {}, onAuthFailed = () => {} } = {}) {
    this.url = websocketUrl(path);
    this.token = token;
    this.onState = onState;
    this.onAuthFailed = onAuthFailed;
    this.active = new Map();
    this.nextId = 1;
    this.socket = null;
    this.acked = false;
    this.retries = 0;
    this.closed = false;
    this.timer = null;
  }

  subscribe(query, variables, { next, error = () => {} }) {
    const id = String(this.nextId++);
    this.active.set(id, { query, variables, next, error });
    if (this.acked) this.send({ id, type: "subscribe", payload: { query, variables } });
    else this.open();
    return () => {
      if (this.active.delete(id) && this.acked) this.send({ id, type: "complete" });
    };
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, "closed");
    this.socket = null;
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  open() {
    if (this.socket || this.closed) return;
    this.onState("connecting");
    const socket = new WebSocket(this.url, "graphql-transport-ws");
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.send({ type: "connection_init", payload: { Authorization: `Bearer ${this.token}` } });
    });
    socket.addEventListener("message", (event) => this.receive(event));
    socket.addEventListener("close", (event) => this.lost(socket, event));
  }

  receive(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    const sub = message.id ? this.active.get(message.id) : null;
    switch (message.type) {
      case "connection_ack":
        this.acked = true;
        this.retries = 0;
        this.onState("live");
        for (const [id, s] of this.active) {
          this.send({ id, type: "subscribe", payload: { query: s.query, variables: s.variables } });
        }
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "next":
        if (sub && message.payload) {
          if (message.payload.errors && message.payload.errors.length) {
            sub.error(errorFrom(message.payload.errors[0]));
          } else {
            sub.next(message.payload.data);
          }
        }
        break;
      case "error":
        if (sub) {
          this.active.delete(message.id);
          sub.error(errorFrom((message.payload || [])[0]));
        }
        break;
      case "complete":
        if (sub) this.active.delete(message.id);
        break;
      default:
        break;
    }
  }

  lost(socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.acked = false;
    if (this.closed) return;
    if (event.code === 4403 || event.code === 4401) {
      this.onState("offline");
      this.onAuthFailed();
      return;
    }
    this.onState("offline");
    const delay = Math.min(15000, 500 * 2 ** this.retries) * (0.8 + Math.random() * 0.4);
    this.retries += 1;
    this.timer = setTimeout(() => {
      if (this.active.size) this.open();
    }, delay);
  }
}

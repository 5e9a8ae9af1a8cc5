// DOM building with text nodes only (never HTML strings), and the formats the pages share.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, String(value));
  }
  return append(element, children);
}

export function announce(region, message) {
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 30);
}

// "ERP" stays, "IN_PROGRESS" becomes "In progress".
export function humanize(value) {
  if (!value) return "";
  const text = String(value).replace(/_/g, " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const STATUS_TONES = {
  ACTIVE: "good",
  COMPLETED: "good",
  COMPLETED_WITH_WARNINGS: "warn",
  IN_PROGRESS: "info",
  IDLE: "neutral",
  PAUSED: "neutral",
  UNREACHABLE: "bad",
  FAILED: "bad",
  REAUTH_REQUIRED: "warn",
  DISCONNECTED: "neutral",
};

const STATUS_LABELS = {
  ACTIVE: "Active",
  UNREACHABLE: "Unreachable",
  REAUTH_REQUIRED: "Needs reauthorization",
  DISCONNECTED: "Disconnected",
  COMPLETED_WITH_WARNINGS: "Completed with warnings",
};

export function badge(status, extra = {}) {
  const tone = STATUS_TONES[status] || "neutral";
  return h(
    "span",
    { class: `badge badge-${tone}`, "data-status": status, ...extra },
    h("span", { class: "badge-dot", "aria-hidden": "true" }),
    STATUS_LABELS[status] || humanize(status),
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "short",
});
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDate(value) {
  return value ? dateTime.format(new Date(value)) : "";
}

export function timeAgo(value, now = Date.now()) {
  if (!value) return "Never";
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? "Just now" : "In a moment";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86400), "day");
}

export function timeCell(value, empty = "Never") {
  if (!value) return h("span", { class: "muted" }, empty);
  return h("time", { datetime: value, title: formatDate(value) }, timeAgo(value));
}

const numbers = new Intl.NumberFormat();

export function formatNumber(value) {
  return numbers.format(value || 0);
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

// A stable colour per system key, for the monogram tiles.
export function monogram(name, key) {
  const initials = String(name || key || "?")
    .split(/[\s/-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join("");
  let hash = 0;
  for (const char of String(key || name)) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return h("span", { class: `monogram tone-${hash % 6}`, "aria-hidden": "true" }, initials);
}

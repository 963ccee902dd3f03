// The HTTP API as the pages use it: JSON in and out, the signed-in session, errors as values
// that carry the server's field violations so forms can show them beside the right input.

const SESSION_KEY = "evently.session";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `request failed (${status})`);
    this.status = status;
    this.code = body?.code;
    this.details = body?.details || [];
  }

  // {"title": "must not be empty", ...} from google.rpc.BadRequest details.
  get fieldViolations() {
    const found = {};
    for (const detail of this.details) {
      for (const v of detail.fieldViolations || []) found[v.field] = v.description;
    }
    return found;
  }
}

export const session = {
  get() {
    try {
      const saved = JSON.parse(localStorage.getItem(SESSION_KEY));
      if (saved && Date.parse(saved.expireTime) > Date.now()) return saved;
    } catch { /* a damaged entry is as good as none */ }
    return null;
  },
  save(login) {
    const saved = { token: login.accessToken, expireTime: login.expireTime, user: login.user };
    localStorage.setItem(SESSION_KEY, JSON.stringify(saved));
    window.dispatchEvent(new Event("evently:session"));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
    window.dispatchEvent(new Event("evently:session"));
  },
};

export function authHeaders() {
  const current = session.get();
  return current ? { authorization: `Bearer ${current.token}` } : {};
}

export async function api(method, path, { body, query } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = { accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { message: text }; }
  if (!response.ok) {
    if (response.status === 401 && session.get()) session.clear();  // expired or revoked
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

// Every page of a list, for the small lists a page shows whole (bounded, to stay snappy).
export async function all(path, key, { query = {}, maxPages = 10 } = {}) {
  const items = [];
  let pageToken = "";
  for (let page = 0; page < maxPages; page++) {
    const answer = await api("GET", path, { query: { ...query, pageSize: 100, pageToken } });
    items.push(...(answer[key] || []));
    pageToken = answer.nextPageToken;
    if (!pageToken) break;
  }
  return items;
}

// A user's public name, looked up once per page view.
const names = new Map();
export function displayName(userId) {
  if (!session.get()) return Promise.resolve("an attendee");
  if (!names.has(userId)) {
    names.set(
      userId,
      api("GET", `/v1/users/${encodeURIComponent(userId)}`)
        .then((user) => user.displayName || "an attendee")
        .catch(() => "a former member"),
    );
  }
  return names.get(userId);
}

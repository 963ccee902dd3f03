// The HTTP API as the pages use it: JSON in and out, the signed-in session, errors as values
// that carry the server's field violations so forms can show them beside the right input.
//
// A session is a short-lived access token and a refresh token that lasts days: the access token
// is exchanged shortly before it expires, by one tab at a time (a refresh token works once, and
// one sent twice ends its session), and a session that has ended leads to the sign-in form.

const SESSION_KEY = "evently.session";
const ENDED_KEY = "evently.session-ended";
const REFRESH_AHEAD_MS = 60_000;
export const SESSION_ENDED = "Your session has ended. Please log in again.";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `request failed (${status})`);
    this.status = status;
    this.code = body?.code;
    this.details = body?.details || [];
  }

  // {"title": ["must not be empty"], ...} from google.rpc.BadRequest details: every
  // violation of a field, in the order given.
  get fieldViolations() {
    const found = {};
    for (const detail of this.details) {
      for (const v of detail.fieldViolations || []) (found[v.field] ||= []).push(v.description);
    }
    return found;
  }
}

export const session = {
  get() {
    try {
      const saved = JSON.parse(localStorage.getItem(SESSION_KEY));
      if (saved && saved.refreshToken && Date.parse(saved.refreshExpireTime) > Date.now()) return saved;
    } catch { /* a damaged entry is as good as none */ }
    return null;
  },
  save(login) {
    const saved = {
      token: login.accessToken,
      expireTime: login.expireTime,
      refreshToken: login.refreshToken,
      refreshExpireTime: login.refreshExpireTime,
      user: login.user,
    };
    localStorage.setItem(SESSION_KEY, JSON.stringify(saved));
    sessionStorage.removeItem(ENDED_KEY);
    window.dispatchEvent(new Event("evently:session"));
  },
  // The account's details changed (name, time zone): the header and times follow.
  updateUser(user) {
    const current = session.get();
    if (!current) return;
    localStorage.setItem(SESSION_KEY, JSON.stringify({ ...current, user }));
    window.dispatchEvent(new Event("evently:session"));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
    window.dispatchEvent(new Event("evently:session"));
  },
  // The server ended it (expired, signed out elsewhere, password changed): say so at sign-in.
  end() {
    sessionStorage.setItem(ENDED_KEY, SESSION_ENDED);
    session.clear();
  },
  // Why the last session ended, once.
  takeEndedReason() {
    const reason = sessionStorage.getItem(ENDED_KEY);
    sessionStorage.removeItem(ENDED_KEY);
    return reason;
  },
  async signOut() {
    const current = session.get();
    session.clear();
    if (current) {
      await fetch("/v1/users:logout", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      }).catch(() => {});  // offline: the session ends by itself when its token expires
    }
  },
};

function oneTabAtATime(work) {
  return navigator.locks ? navigator.locks.request("evently.refresh", work) : work();
}

// The session's access token, exchanged first when it expires within a minute (or `force`).
// Null when there is no session, or when it has just ended.
export async function accessToken({ force = false } = {}) {
  const before = session.get();
  if (!before) return null;
  if (!force && Date.parse(before.expireTime) - Date.now() > REFRESH_AHEAD_MS) return before.token;
  return oneTabAtATime(async () => {
    const current = session.get();
    if (!current) return null;
    const renewedMeanwhile = current.refreshToken !== before.refreshToken;  // by another tab or call
    if (renewedMeanwhile || (!force && Date.parse(current.expireTime) - Date.now() > REFRESH_AHEAD_MS)) {
      return current.token;
    }
    const response = await fetch("/v1/users:refresh", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ refreshToken: current.refreshToken }),
    });
    if (response.ok) {
      session.save(await response.json());
      return session.get().token;
    }
    if (response.status === 400 || response.status === 401) {
      session.end();
      return null;
    }
    // The service is busy or down: keep the session and let this call fail as it will.
    return current.token;
  });
}

export async function api(method, path, { body, query } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const send = async (token) => {
    const headers = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  const hadSession = Boolean(session.get());
  let response = await send(await accessToken());
  if (response.status === 401 && session.get()) {
    // Refused although fresh (revoked, or a clock off): one exchange, one more try.
    const token = await accessToken({ force: true });
    if (token) response = await send(token);
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { message: text }; }
  if (!response.ok) {
    if (response.status === 401 && hadSession) {
      if (session.get()) session.end();
      throw new ApiError(401, { code: parsed.code, message: SESSION_ENDED });
    }
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

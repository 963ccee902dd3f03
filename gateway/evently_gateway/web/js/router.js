// Hash routes ("#/events/abc") so that the gateway serves one page and any link can be shared.

const routes = [];

export function route(pattern, render, { signedIn = false } = {}) {
  const names = [];
  const regex = new RegExp(
    "^" + pattern.replace(/:([a-zA-Z]+)/g, (_, name) => { names.push(name); return "([^/]+)"; }) + "$",
  );
  routes.push({ regex, names, render, signedIn });
}

export function match(hash) {
  const path = (hash.replace(/^#/, "") || "/").split("?")[0];
  for (const candidate of routes) {
    const found = candidate.regex.exec(path);
    if (found) {
      const params = Object.fromEntries(candidate.names.map((n, i) => [n, decodeURIComponent(found[i + 1])]));
      return { ...candidate, params, path };
    }
  }
  return null;
}

export function go(path) {
  if (window.location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = path;
}

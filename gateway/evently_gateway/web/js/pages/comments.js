// An event's conversation: comments and replies, each author's Edit and Delete, the organizer's
// Remove, and "@Name" mentions of people already in the conversation (they are told). `add` and
// `show` take comments from the live room: new ones appear, edited and deleted ones change.

import { api, displayName, session } from "../api.js";
import { announce, busy, field, h, showErrors, when } from "../dom.js";

function stateText(entry) {
  return entry.state === "REMOVED" ? "Removed by the organizer." : "Deleted by its author.";
}

export function commentsSection(event, comments, mayComment) {
  const me = session.get()?.user.id;
  const byId = new Map();
  const names = new Map();  // display name → user id, for mentions
  const list = h("ol", { class: "comments", "aria-live": "polite" });
  const heading = h("h2", { id: "comments-heading" }, "Comments (0)");
  const empty = h("p", { class: "muted", id: "no-comments" }, "No comments yet.");
  const section = h("section", { "aria-labelledby": "comments-heading", class: "stack" }, heading, list, empty);
  let replyTo = null;

  function learn(userId) {
    displayName(userId).then((name) => names.set(name, userId));
  }
  learn(event.organizerId);

  function render(entry) {
    const author = h("strong", {}, "…");
    displayName(entry.authorId).then((name) => {
      author.textContent = entry.authorId === event.organizerId ? `${name} (organizer)` : name;
    });
    learn(entry.authorId);
    const gone = entry.state === "DELETED" || entry.state === "REMOVED";
    const parent = entry.parentId && byId.get(entry.parentId);
    const replyingTo = h("span", { class: "muted" });
    if (parent) displayName(parent.entry.authorId).then((name) => { replyingTo.textContent = `↳ in reply to ${name}`; });
    const tools = h("div", { class: "row comment-tools" });
    if (!gone && me && mayComment) {
      const reply = h("button", { type: "button", class: "link" }, "Reply");
      reply.addEventListener("click", () => startReply(entry));
      tools.append(reply);
    }
    if (!gone && me === entry.authorId) {
      const change = h("button", { type: "button", class: "link" }, "Edit");
      change.addEventListener("click", () => startEdit(entry));
      const remove = h("button", { type: "button", class: "link" }, "Delete");
      remove.addEventListener("click", () => removeComment(entry, remove));
      tools.append(change, remove);
    } else if (!gone && me && me === event.organizerId) {
      const remove = h("button", { type: "button", class: "link" }, "Remove");
      remove.addEventListener("click", () => removeComment(entry, remove));
      tools.append(remove);
    }
    return h("li", { id: `comment-${entry.id}`, class: entry.parentId ? "reply" : null },
      h("div", { class: "row muted" }, author, h("time", { datetime: entry.createTime }, when(entry.createTime)),
        entry.updateTime && !gone ? h("span", {}, "(edited)") : null, parent ? replyingTo : null),
      h("div", { class: gone ? "muted" : "comment-text" }, gone ? stateText(entry) : entry.text),
      tools);
  }

  // A comment, new or changed: shown once, in its place.
  function show(entry) {
    const known = byId.get(entry.id);
    const node = render(entry);
    if (known) known.node.replaceWith(node);
    else list.append(node);
    byId.set(entry.id, { entry, node });
    empty.hidden = byId.size > 0;
    heading.textContent = `Comments (${[...byId.values()].filter((c) => c.entry.state !== "DELETED" && c.entry.state !== "REMOVED").length})`;
  }
  for (const entry of comments) show(entry);
  empty.hidden = comments.length > 0;

  async function removeComment(entry, button) {
    const mine = entry.authorId === me;
    if (!window.confirm(mine ? "Delete your comment?" : "Remove this comment for everyone?")) return;
    busy(button, async () => {
      show(await api("DELETE", `/v1/comments/${encodeURIComponent(entry.id)}`));
      announce(mine ? "Comment deleted." : "Comment removed.");
    });
  }

  function startEdit(entry) {
    const { node } = byId.get(entry.id);
    const text = h("textarea", { name: "text", rows: 3, required: true }, entry.text);
    const form = h("form", { class: "form", novalidate: true },
      field("Edit your comment", text),  // not a wrapping label: its name would include the text
      h("div", { class: "row" }, h("button", { type: "submit" }, "Save"), h("button", { type: "button", class: "secondary" }, "Keep as it was")));
    form.querySelector("button.secondary").addEventListener("click", () => show(entry));
    form.addEventListener("submit", (submitted) => {
      submitted.preventDefault();
      busy(form.querySelector("button[type=submit]"), async () => {
        let saved;
        try {
          saved = await api("PATCH", `/v1/comments/${encodeURIComponent(entry.id)}`, { body: { text: text.value } });
        } catch (error) { showErrors(form, error); return; }
        show(saved);
        announce("Comment saved.");
      });
    });
    node.replaceChildren(form);
    text.focus();
  }

  if (!session.get()) {
    section.append(h("p", { class: "muted" }, h("a", { href: "#/login" }, "Log in"), " and register to comment."));
    return { section, add: show };
  }
  if (!mayComment) {
    section.append(h("p", { class: "muted" }, "Register for this event to join the conversation."));
    return { section, add: show };
  }
  const replying = h("p", { class: "muted", hidden: true });
  const box = h("textarea", { name: "text", rows: 3, required: true });
  const form = h("form", { class: "form", novalidate: true },
    replying,
    h("label", {}, "Add a comment", box),
    h("p", { class: "muted hint" }, "Type @ and a name to tell someone in the conversation."),
    h("div", {}, h("button", { type: "submit" }, "Post comment")),
  );
  function startReply(entry) {
    replyTo = entry;
    displayName(entry.authorId).then((name) => {
      replying.replaceChildren(`Replying to ${name} · `, cancel);
      replying.hidden = false;
    });
    box.focus();
  }
  const cancel = h("button", { type: "button", class: "link" }, "cancel");
  cancel.addEventListener("click", () => { replyTo = null; replying.hidden = true; });
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const text = box.value;
    // "@Ann" mentions Ann when she is in the conversation (the organizer, or a comment's author).
    const mentionIds = [...names.entries()].filter(([name]) => text.includes(`@${name}`)).map(([, id]) => id);
    busy(form.querySelector("button[type=submit]"), async () => {
      let added;
      try {
        added = await api("POST", `/v1/events/${encodeURIComponent(event.id)}/comments`,
          { body: { text, parentId: replyTo?.id || "", mentionIds } });
      } catch (error) { showErrors(form, error); return; }
      show(added);
      form.reset();
      replyTo = null;
      replying.hidden = true;
      announce("Comment posted.");
    });
  });
  section.append(form);
  return { section, add: show };
}

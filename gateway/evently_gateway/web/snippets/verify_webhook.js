// Verify an Evently webhook (Standard Webhooks) with Node's own crypto module.
const crypto = require("node:crypto");

const TOLERANCE_SECONDS = 5 * 60; // refuse a delivery replayed long after it was signed

// The CloudEvent, once its signature checks out. `secret`: the subscription's `whsec_...`;
// `headers`: the request's (Node lower-cases their names); `body`: the raw Buffer, before any
// JSON parsing (e.g. express.raw({ type: "application/json" })).
function verifyWebhook(secret, headers, body) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures) {
    throw new Error("missing webhook-id, webhook-timestamp or webhook-signature");
  }
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    throw new Error("timestamp missing, too old or too new");
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = crypto.createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  for (const signature of signatures.split(" ")) {
    const [version, value] = signature.split(",");
    const given = Buffer.from(value || "", "base64");
    if (version === "v1" && given.length === expected.length && crypto.timingSafeEqual(given, expected)) {
      return JSON.parse(body.toString("utf8"));
    }
  }
  throw new Error("no valid signature");
}

module.exports = { verifyWebhook };

"use strict";
// The chat simulator: the page plays a WeChat user. It never talks to the bot directly:
// the WeChat API emulator delivers each message to the bot's webhook exactly as WeChat
// would (signed, encrypted), and the bot's pushed answers are polled from the emulator.

const config = JSON.parse(document.getElementById("config").textContent);
const api = config.emulatorUrl + "/_emulator";
const me = "sim-" + Math.random().toString(36).slice(2, 10); // a fresh user per page load
const state = {
  channel: config.channels.official ? "official" : "wecom",
  mode: config.encrypted ? "safe" : "plain",
  admin: false,
  seen: {}, // user -> how many of the messages pushed to them are on the page
  callSeq: null, // the last API call shown in the debug drawer
  resultSeq: null, // the last result-webhook delivery shown there
};
const $ = (id) => document.getElementById(id);
const chats = { official: $("chat-official"), wecom: $("chat-wecom") };

function user() {
  return state.admin ? config.adminUser : me;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// -- the conversation -----------------------------------------------------------------

function scrollDown(chat) {
  chat.scrollTop = chat.scrollHeight;
}

function row(chat, who, content) {
  const avatar = el("div", { class: `avatar ${who}` }, who === "me" ? "我" : "识");
  const line = el("div", { class: `row ${who}` }, avatar, content);
  chat.append(line);
  scrollDown(chat);
  return line;
}

function bubble(chat, who, text, cls = "") {
  return row(chat, who, el("div", { class: `bubble ${cls}`, "data-from": who }, text));
}

function note(text, error = false, chat = chats[state.channel]) {
  chat.append(el("div", { class: error ? "note error" : "note" }, text));
  scrollDown(chat);
}

function clock() {
  return new Date().toTimeString().slice(0, 5);
}

function renderMsgmenu(chat, menu) {
  const box = el("div", { class: "bubble", "data-from": "bot" });
  if (menu.head_content) box.append(el("div", {}, menu.head_content));
  for (const item of menu.list || []) {
    box.append(
      el("a", { class: "menu-item", "data-menu": item.content,
        onclick: () => sendText(item.content, item.id) }, item.content));
  }
  if (menu.tail_content) box.append(menu.tail_content);
  row(chat, "bot", box);
}

function renderCard(chat, card) {
  const buttons = el("div", { class: "buttons" });
  const box = el("div", { class: "card", "data-task": card.task_id || "" },
    el("h3", {}, (card.main_title || {}).title || "请选择"),
    el("p", {}, (card.main_title || {}).desc || ""), buttons);
  for (const button of card.button_list || []) {
    buttons.append(el("button", { "data-key": button.key, onclick: () => tapCard(box, button) },
      button.text));
  }
  row(chat, "bot", box);
}

function chooseOnCard(box, text) {
  const buttons = box.querySelector(".buttons");
  if (buttons) buttons.replaceWith(el("div", { class: "chosen" }, text));
}

function renderPushed(message) {
  const chat = chats[message.channel] || chats.official;
  const body = message.body || {};
  if (body.button && body.button.replace_name) { // message/update_template_card
    const cards = chat.querySelectorAll(".card");
    if (cards.length) chooseOnCard(cards[cards.length - 1], body.button.replace_name);
    return;
  }
  switch (body.msgtype) {
    case "text": bubble(chat, "bot", body.text.content); break;
    case "markdown": bubble(chat, "bot", body.markdown.content); break;
    case "msgmenu": renderMsgmenu(chat, body.msgmenu); break;
    case "template_card": renderCard(chat, body.template_card); break;
    default: bubble(chat, "bot", `[${body.msgtype}] ${JSON.stringify(body)}`);
  }
}

function renderReply(reply, chat, card) {
  // The passive reply: what WeChat shows at once, inside the 5-second window.
  if (reply.MsgType === "text") bubble(chat, "bot", reply.Content);
  else if (reply.MsgType === "update_button" && card) chooseOnCard(card, reply.Button.ReplaceName);
  else bubble(chat, "bot", `[${reply.MsgType}]`);
}

// -- acting as WeChat, through the emulator -----------------------------------------------

async function deliver(message, card = null) {
  const chat = chats[state.channel];
  const body = {
    channel: state.channel,
    message: { ...message, from: user() },
    tries: 3, // WeChat retries twice when no answer comes within 5 seconds
    until_answered: true,
  };
  if (state.channel === "official") body.mode = state.mode;
  let exchange;
  try {
    const res = await fetch(api + "/deliver", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    exchange = await res.json();
    if (!res.ok) throw new Error(exchange.error || `HTTP ${res.status}`);
  } catch (error) {
    note(`模拟器无法投递：${error.message}`, true, chat);
    return null;
  }
  logExchange(exchange, message);
  const last = exchange.attempts[exchange.attempts.length - 1];
  if (last.status !== 200) {
    note(`服务器无响应（${last.status || last.error}）`, true, chat);
  } else if (last.reply) {
    renderReply(last.reply, chat, card);
  }
  return exchange;
}

function sendText(text, menuId = "") {
  // A msgmenu tap is a text with the item's id, as WeChat sends it (bizmsgmenuid).
  bubble(chats[state.channel], "me", text);
  const message = { type: "text", content: text };
  return deliver(menuId ? { ...message, menu_id: menuId } : message);
}

async function sendPhoto(blob, name) {
  const chat = chats[state.channel];
  const img = el("img", { src: URL.createObjectURL(blob), alt: name });
  row(chat, "me", el("div", { class: "bubble photo", "data-from": "me" }, img));
  img.addEventListener("load", () => scrollDown(chat));
  const form = new FormData();
  form.append("media", blob, name);
  try {
    const res = await fetch(api + "/media", { method: "POST", body: form });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const media = await res.json();
    return deliver({ type: "image", media_id: media.media_id });
  } catch (error) {
    note(`图片上传失败：${error.message}`, true, chat);
    return null;
  }
}

async function sendSample(sample) {
  const res = await fetch(sample.url);
  return sendPhoto(await res.blob(), sample.file);
}

function tapCard(box, button) {
  if (!box.querySelector(".buttons")) return;
  deliver(
    { type: "template_card_event", key: button.key, task_id: box.dataset.task },
    box,
  );
}

// -- polling the emulator ----------------------------------------------------------------

async function pollMessages() {
  // Per user we send as: how many of their pushed messages we have shown.
  for (const who of [me, config.adminUser].filter(Boolean)) {
    const res = await fetch(`${api}/messages?touser=${encodeURIComponent(who)}`);
    const messages = await res.json();
    const seen = state.seen[who];
    if (seen !== undefined && messages.length >= seen) {
      messages.slice(seen).forEach(renderPushed);
    }
    state.seen[who] = messages.length; // first poll (or an emulator reset): from here on
  }
}

async function pollCalls() {
  const res = await fetch(`${api}/calls?after=${state.callSeq || 0}`);
  const calls = await res.json();
  if (state.callSeq === null) {
    state.callSeq = calls.length ? calls[calls.length - 1].seq : 0;
    return;
  }
  for (const call of calls) {
    logCall(call);
    state.callSeq = call.seq;
  }
}

async function pollResults() {
  // What the bot's result webhook delivered to the emulator (the operator's side).
  const res = await fetch(`${api}/results?after=${state.resultSeq || 0}`);
  const results = await res.json();
  if (state.resultSeq === null) {
    state.resultSeq = results.length ? results[results.length - 1].seq : 0;
    return;
  }
  for (const result of results) {
    logResult(result);
    state.resultSeq = result.seq;
  }
}

async function poll() {
  for (;;) {
    try {
      await pollMessages();
      await pollCalls();
      await pollResults();
    } catch (error) {
      // The emulator is restarting or gone: keep trying quietly.
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
  }
}

// -- the debug drawer ----------------------------------------------------------------------

function xml(text) {
  // One element a line: break after each closing tag (CDATA sections stay whole).
  return (text || "").replace(/(<\/[^>]+>)(?=<)/g, "$1\n").replace(/^<xml>(?=<)/, "<xml>\n");
}

function section(title, text) {
  return [el("h4", {}, title), el("pre", {}, text || "(空)")];
}

function logEntry(cls, summary, ...parts) {
  const details = el("details", {}, el("summary", {}, summary));
  for (const part of parts) details.append(...part);
  const entry = el("li", { class: cls }, details);
  $("log").append(entry);
  entry.scrollIntoView({ block: "nearest" });
}

function logExchange(exchange, message) {
  exchange.attempts.forEach((attempt, i) => {
    const path = new URL(exchange.url).pathname;
    const what = message.type === "template_card_event" ? `card ${message.key}` : message.type;
    const ok = attempt.status === 200;
    logEntry(
      ok ? "exchange" : "exchange bad",
      `→ POST ${path} · ${what} · ${attempt.status ?? attempt.error} · ${attempt.elapsed_ms} ms` +
        (exchange.attempts.length > 1 ? ` (try ${i + 1})` : ""),
      section("query", new URLSearchParams(attempt.query).toString()),
      section("request as sent", xml(attempt.request_body)),
      section("request decrypted", xml(attempt.request_xml)),
      section("passive reply as sent", xml(attempt.body)),
      section("passive reply decrypted", xml(attempt.reply_xml)),
      attempt.error ? section("error", attempt.error) : [],
    );
  });
}

function logCall(call) {
  const query = new URLSearchParams(call.query).toString();
  logEntry(
    call.errcode === 0 ? "call" : "call bad",
    `⇢ ${call.method} ${call.path} · errcode ${call.errcode ?? call.status} · ${call.ms} ms`,
    section("query", query),
    section("body", call.body),
  );
}

function logResult(result) {
  const signature = result.verified ? "签名有效" : "签名无效";
  logEntry(
    result.verified ? "result" : "result bad",
    `⇠ 结果回调 · ${result.type ?? "?"} · ${signature}`,
    section("event", JSON.stringify(result.event, null, 2)),
  );
}

// -- the controls ------------------------------------------------------------------------

function setChannel(channel) {
  state.channel = channel;
  for (const button of document.querySelectorAll("[data-channel]")) {
    button.classList.toggle("on", button.dataset.channel === channel);
  }
  for (const [name, chat] of Object.entries(chats)) chat.classList.toggle("hidden", name !== channel);
  $("msgmenu").disabled = channel !== "official";
  // WeCom is always encrypted; the Official Account needs an AES key for safe mode, and
  // with one it refuses plaintext unless WECHAT_ALLOW_PLAINTEXT is on (docs/security.md).
  for (const button of document.querySelectorAll("[data-mode]")) {
    const mode = button.dataset.mode;
    button.disabled = channel === "wecom" || (mode === "safe" && !config.encrypted)
      || (mode === "plain" && !config.plaintext);
  }
}

function setMode(mode) {
  state.mode = mode;
  for (const button of document.querySelectorAll("[data-mode]")) {
    button.classList.toggle("on", button.dataset.mode === mode);
  }
  note(mode === "safe" ? "公众号：安全模式（AES 加密）" : "公众号：明文模式", false, chats.official);
}

function setup() {
  for (const [name, enabled] of Object.entries(config.channels)) {
    const button = document.querySelector(`[data-channel="${name}"]`);
    button.disabled = !enabled;
    note(enabled ? clock() : "此渠道未配置", !enabled, chats[name]);
    if (enabled) note("点 ＋ 发送证件照片，或选一张示例证件", false, chats[name]);
  }
  if (!config.emulatorUrl) note("未设置 EMULATOR_URL：请用 ocrbot dev 启动", true);
  document.querySelectorAll("[data-channel]").forEach((button) =>
    button.addEventListener("click", () => setChannel(button.dataset.channel)));
  document.querySelectorAll("[data-mode]").forEach((button) =>
    button.addEventListener("click", () => setMode(button.dataset.mode)));
  setChannel(state.channel);
  for (const button of document.querySelectorAll("[data-mode]")) {
    button.classList.toggle("on", button.dataset.mode === state.mode);
  }

  // msgmenu is for verified accounts: without it (40200) the bot falls back to a numbered menu.
  const msgmenu = $("msgmenu");
  $("msgmenu-label").classList.toggle("hidden", config.menuStyle !== "msgmenu");
  msgmenu.addEventListener("change", async () => {
    await fetch(api + "/settings", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ msgmenu_allowed: msgmenu.checked }),
    });
    note(msgmenu.checked ? "账号可用 msgmenu 菜单" : "账号无 msgmenu 权限：数字菜单", false, chats.official);
  });
  fetch(api + "/settings")
    .then((res) => res.json())
    .then((knobs) => { msgmenu.checked = knobs.msgmenu_allowed; })
    .catch(() => {}); // no emulator: the note above already says so

  const admin = $("admin");
  admin.disabled = !config.adminUser;
  admin.title = config.adminUser ? `以 ${config.adminUser} 的身份发送` : "ADMIN_USERS 为空";
  admin.addEventListener("change", () => {
    state.admin = admin.checked;
    note(state.admin ? `以管理员 ${config.adminUser} 发送` : `以普通用户 ${me} 发送`);
  });

  const tray = $("tray");
  for (const sample of config.samples) {
    tray.append(el("button", { class: "tile", "data-sample": sample.file, onclick: () => {
      tray.classList.add("hidden");
      sendSample(sample);
    } }, el("img", { src: sample.url, alt: "" }), el("span", {}, sample.label)));
  }
  $("plus").addEventListener("click", () => tray.classList.toggle("hidden"));
  $("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    tray.classList.add("hidden");
    if (file) sendPhoto(file, file.name);
    event.target.value = "";
  });

  const text = $("text");
  const send = () => {
    const value = text.value.trim();
    if (!value) return;
    text.value = "";
    text.dispatchEvent(new Event("input"));
    sendText(value);
  };
  text.addEventListener("input", () => {
    $("send").classList.toggle("hidden", !text.value);
    $("plus").classList.toggle("hidden", !!text.value);
  });
  text.addEventListener("keydown", (event) => { if (event.key === "Enter") send(); });
  $("send").addEventListener("click", send);

  const drawer = $("drawer");
  $("debug-toggle").addEventListener("click", () => drawer.classList.toggle("hidden"));
  $("drawer-close").addEventListener("click", () => drawer.classList.add("hidden"));
  if (new URLSearchParams(location.search).has("debug")) drawer.classList.remove("hidden");
  poll();
}

setup();

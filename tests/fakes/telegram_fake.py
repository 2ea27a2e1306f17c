#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake Telegram Bot API for tests, on the base fake's server: a bot's
sendMessage as the Bot API answers it, errors included.

    POST /botTOKEN/sendMessage   JSON {chat_id, text, ...}: 200 {"ok":
                                 true, "result": Message}; the errors
                                 below
    GET  /botTOKEN/getMe         200 {"ok": true, "result": User}
    GET  /_posts                 every request so far, as webhook_fake.py
                                 lists them (kind "telegram")
    POST /_plan                  as webhook_fake.py: canned answers below,
                                 or "close"

The bot's token is TOKEN; chats it may write to are CHATS (a user's or a
group's id, or a public channel's @name); any other chat is not found.

Where the facts come from:
- The Bot API's documentation (core.telegram.org/bots/api), "Making
  requests": a method is called as https://api.telegram.org/botTOKEN/NAME
  with GET or POST, parameters in the query, as a form, or as
  application/json; every answer is a JSON object with a Boolean "ok";
  "result" when it is true, else "description" (a text for people) and
  an Integer "error_code", and some errors carry "parameters"
  (ResponseParameters: "retry_after", the seconds to wait after a flood
  error, and "migrate_to_chat_id", a group that became a supergroup).
- The same page, sendMessage: chat_id is an Integer or a String (the
  @username of a channel), text is 1-4096 characters after entities are
  parsed; link_preview_options (LinkPreviewOptions, "is_disabled")
  since Bot API 7.0, and disable_web_page_preview before it, still
  accepted. The answer is the Message sent: message_id, date, chat, text.
- The descriptions of errors, as public lists of the Bot API's answers
  record them (vrumger/telegram-errors): 401 "Unauthorized" for a wrong
  token; 400 "Bad Request: chat not found"; 400 "Bad Request: message
  text is empty"; 400 "Bad Request: message is too long"; 403
  "Forbidden: bot was blocked by the user"; 429 "Too Many Requests:
  retry after N" with parameters.retry_after N.
- The same page, getMe: "A simple method for testing your bot's
  authentication token", no parameters, answering the bot as a User
  (id, is_bot, first_name, username).
- Lengths: Telegram counts a message's characters, and its entities'
  offsets, in UTF-16 code units.
"""

import math
import re
import time

import http_fake
import webhook_fake

TOKEN = "7000000001:AAFakeBotTokenForMediamonTests_x1"
CHATS = {"-1001234567890": "supergroup", "123456789": "private",
         "@mediamon_news": "channel"}
LIMIT = 4096


def error(status, description, parameters=None):
    body = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return (status, body, {})


def flood(retry_after):
    s = math.ceil(retry_after or 3)
    return error(429, "Too Many Requests: retry after %d" % s,
                 {"retry_after": s})


webhook_fake.ANSWERS["telegram"] = {
    "flood": flood,
    "blocked": error(403, "Forbidden: bot was blocked by the user"),
    "unauthorized": error(401, "Unauthorized"),
    "bad_gateway": error(502, "Bad Gateway"),
}


class Telegram(webhook_fake.Webhook):
    routes = [
        (r"/_posts", "list_posts"),
        (r"/_plan", "set_plan"),
        (r"/bot([^/]*)/(\w+)", "method"),
    ] + http_fake.FakeHandler.routes

    def method(self, m):
        self.token, self.name = m.group(1), m.group(2)
        self.serve("telegram", self.method_normal)

    def method_normal(self, post):
        if self.token != TOKEN:
            return self.answer(post, *error(401, "Unauthorized"))
        if self.name == "getMe":
            return self.answer(post, 200, {"ok": True, "result": {
                "id": int(TOKEN.split(":")[0]), "is_bot": True,
                "first_name": "Mediamon", "username": "mediamon_test_bot"}})
        if self.name != "sendMessage":
            return self.answer(post, *error(404, "Not Found"))
        body = post["body"]
        if not isinstance(body, dict):
            if not post["utf8"]:
                return self.answer(post, *error(
                    400, "Bad Request: strings must be encoded in UTF-8"))
            return self.answer(post, *error(
                400, "Bad Request: message text is empty"))
        chat = body.get("chat_id")
        chat = str(chat) if chat is not None else ""
        if not chat:
            return self.answer(post, *error(
                400, "Bad Request: chat_id is empty"))
        if chat not in CHATS:
            return self.answer(post, *error(
                400, "Bad Request: chat not found"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return self.answer(post, *error(
                400, "Bad Request: message text is empty"))
        if len(text.encode("utf-16-le")) // 2 > LIMIT:
            return self.answer(post, *error(
                400, "Bad Request: message is too long"))
        with webhook_fake.lock:
            webhook_fake.next_id[0] += 1
            mid = webhook_fake.next_id[0] % 1000000
            post["message"] = {"chat": chat, "text": text}
        kind = CHATS[chat]
        ident = int(chat) if re.fullmatch(r"-?\d+", chat) else -100777
        self.answer(post, 200, {"ok": True, "result": {
            "message_id": mid, "date": int(time.time()),
            "chat": dict({"id": ident, "type": kind},
                         **({"username": chat[1:]} if kind == "channel"
                            else {})),
            "text": text}})


if __name__ == "__main__":
    http_fake.serve(Telegram)

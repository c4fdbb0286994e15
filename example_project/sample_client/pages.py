"""The sample client's HTML pages; every value is escaped with html.escape.

A different "company's" app from the example site, so it has its own look and
no Bootstrap: one inline style sheet.
"""

from html import escape

APP_NAME = "Sample third-party client"

# The names of the "Post a message" form's fields.
POST_FORM_FIELDS = ("message", "display_name", "icon_url")
REVOKED_NOTICE = "Your authorization was revoked; sign in again."

PROFILE_FIELDS = (
    ("id", "User ID"),
    ("username", "Username"),
    ("email", "Email"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
)

STYLE = """
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6578; --brand: #0f766e; --brand-dark: #115e59;
  --line: #e3e8ef; --bad: #b42318; --bad-bg: #fef3f2; --ok-bg: #ecfdf3; --ok: #067647; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: linear-gradient(160deg, #f0fdfa 0%, #f8fafc 45%, #eef2ff 100%); min-height: 100vh; }
header.bar { display: flex; align-items: center; gap: .75rem; padding: 1rem 1.5rem; background: #fff;
  border-bottom: 1px solid var(--line); }
.logo { width: 2rem; height: 2rem; border-radius: .6rem; background: var(--brand); color: #fff; display: grid;
  place-items: center; font-weight: 700; }
.bar strong { font-size: 1.05rem; }
.bar span { color: var(--muted); font-size: .9rem; }
main { max-width: 38rem; margin: 3rem auto; padding: 0 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 1rem; padding: 2rem;
  box-shadow: 0 10px 30px rgba(15, 23, 42, .06); }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); font-size: .92rem; }
.button { display: inline-block; border: 0; border-radius: .6rem; padding: .75rem 1.25rem; font: inherit;
  font-weight: 600; cursor: pointer; text-decoration: none; background: var(--brand); color: #fff; }
.button:hover, .button:focus { background: var(--brand-dark); }
.button.secondary { background: #fff; color: var(--ink); border: 1px solid var(--line); }
.button.secondary:hover, .button.secondary:focus { background: #f1f5f9; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1.5rem; margin: 1.5rem 0; }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.notice { border-radius: .6rem; padding: .75rem 1rem; margin: 0 0 1rem; }
.notice.ok { background: var(--ok-bg); color: var(--ok); }
.notice.bad { background: var(--bad-bg); color: var(--bad); }
h2 { font-size: 1.15rem; margin: 2rem 0 .75rem; padding-top: 1.5rem; border-top: 1px solid var(--line); }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
label small { font-weight: 400; color: var(--muted); }
input[type=text], textarea { width: 100%; font: inherit; padding: .55rem .7rem; border: 1px solid #cbd5e1;
  border-radius: .5rem; background: #fff; color: var(--ink); }
textarea { min-height: 5rem; resize: vertical; }
input:focus, textarea:focus { outline: 2px solid var(--brand); outline-offset: 1px; }
.form-actions { display: flex; gap: .75rem; align-items: center; margin-top: 1rem; }
.result { border: 1px solid var(--line); border-radius: .75rem; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.result dl { margin: .5rem 0 0; }
.result ul { margin: .25rem 0 0; padding-left: 1.25rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
footer { text-align: center; color: var(--muted); font-size: .85rem; margin: 2rem 0; }
"""


def layout(title, body):
    """Return a whole page around ``body`` (already-escaped HTML)."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(APP_NAME)}</title>
<style>{STYLE}</style>
</head>
<body>
<header class="bar"><div class="logo" aria-hidden="true">S</div>
<div><strong>{escape(APP_NAME)}</strong><br><span>A separate app that signs you in with another site</span></div>
</header>
<main>{body}</main>
<footer>This client keeps your sign-in only in its own memory; signing out here does not sign you out of
the provider.</footer>
</body>
</html>
"""


def signed_out_page(provider_name, notice=None):
    """The home page before sign-in: the "Sign in with …" button, after a one-time ``notice`` if any."""
    name = escape(provider_name)
    notice_html = f'<div class="notice bad" role="alert">{escape(notice)}</div>\n' if notice else ""
    return layout(
        "Welcome",
        f"""<section class="card">
{notice_html}<h1>Welcome</h1>
<p>This app has no passwords of its own. Sign in with your {name} account: {name} asks whether you
allow this app to see your profile, then sends you back here.</p>
<p><a class="button" id="sign-in" href="/signin">Sign in with {name}</a></p>
<p class="muted">Authorization code flow with PKCE (S256) and a random <code>state</code>, as described in
RFC 6749 and RFC 7636.</p>
</section>""",
    )


def signed_in_page(provider_name, user, token_info, *, csrf_token, outcome=None):
    """The home page after sign-in: what ``/api/v4/users/me`` returned, and the "Post a message" form."""
    rows = "\n".join(
        f'<dt>{escape(label)}</dt><dd data-field="{escape(key)}">{escape(user.get(key, ""))}</dd>'
        for key, label in PROFILE_FIELDS
    )
    scope = token_info.get("scope") or "(the provider's default)"
    return layout(
        "Signed in",
        f"""<section class="card">
<div class="notice ok">Signed in with {escape(provider_name)}.</div>
<h1>Hello, {escape(user.get("first_name") or user.get("username", ""))}</h1>
<p>{escape(provider_name)} told this app who you are (<code>GET /api/v4/users/me</code> with the access token):</p>
<dl>
{rows}
</dl>
<p class="muted">Granted scope: <code>{escape(scope)}</code>. The access token stays on this app's server;
it is never shown or sent to your browser.</p>
<form method="post" action="/signout">{csrf_field(csrf_token)}
<button class="button secondary" type="submit">Sign out</button></form>
{post_section(provider_name, csrf_token, outcome)}
</section>""",
    )


def csrf_field(csrf_token):
    return f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'


def post_section(provider_name, csrf_token, outcome):
    """The "Post a message" form, after the outcome of the last post if any."""
    values = (outcome or {}).get("form") or {}
    value = {name: escape(values.get(name, "")) for name in POST_FORM_FIELDS}
    board = f"{provider_name}'s board"
    return f"""<h2 id="post-heading">Post a message to {escape(board)}</h2>
{outcome_html(provider_name, outcome)}
<form method="post" action="/post" aria-labelledby="post-heading">{csrf_field(csrf_token)}
<label for="message">Message</label>
<textarea id="message" name="message" required maxlength="4000">{value["message"]}</textarea>
<label for="display_name">Display name <small>(optional; shown only if {escape(provider_name)}'s admin allows
apps to override names)</small></label>
<input type="text" id="display_name" name="display_name" maxlength="64" value="{value["display_name"]}">
<label for="icon_url">Icon URL <small>(optional; likewise)</small></label>
<input type="text" id="icon_url" name="icon_url" inputmode="url" value="{value["icon_url"]}">
<div class="form-actions"><button class="button" type="submit">Post message</button>
<span class="muted"><code>POST /api/v4/posts</code> with the access token</span></div>
</form>"""


def outcome_html(provider_name, outcome):
    """What the API answered to the last post: the post it created, or its error."""
    if not outcome:
        return ""
    name = escape(provider_name)
    if outcome["kind"] == "posted":
        post = outcome["post"]
        rows = [("message", "Message", post["message"]), ("display_name", "Shown as", post["display_name"])]
        if post["from_app"]:
            rows.append(("from_app", "Via", post["from_app"]))
        if post["icon_url"]:
            rows.append(("icon_url", "Icon", post["icon_url"]))
        requested = " ".join(outcome["form"].get("display_name", "").split())
        ignored = ""
        if requested and requested != post["display_name"]:
            ignored = (
                f'<p class="muted">{name} showed your username instead of "{escape(requested)}": its admin has '
                "not allowed apps to override display names.</p>"
            )
        return f"""<div class="result" role="status">
<div class="notice ok">Posted to {name}'s board.</div>
{definition_list(rows, "post-field")}{ignored}</div>"""
    if outcome["kind"] == "unreachable":
        return f"""<div class="result" role="alert">
<div class="notice bad">Could not reach {name}: nothing was posted.</div>
<p class="muted">{escape(outcome["detail"])}</p></div>"""
    rows = [("message", "Message", outcome["message"])]
    if outcome["id"]:
        rows.insert(0, ("id", "Error ID", outcome["id"]))
    rows += [(f"errors.{field}", field, "; ".join(problems)) for field, problems in outcome["errors"].items()]
    return f"""<div class="result" role="alert">
<div class="notice bad">{name} refused the post (HTTP {int(outcome["status"])}).</div>
{definition_list(rows, "error-field")}</div>"""


def definition_list(rows, attribute):
    """A <dl> of (key, label, value) rows; each value carries ``data-<attribute>="<key>"``."""
    items = "\n".join(
        f'<dt>{escape(label)}</dt><dd data-{attribute}="{escape(key)}">{escape(value)}</dd>'
        for key, label, value in rows
    )
    return f"<dl>\n{items}\n</dl>"


def provider_error_page(provider_name, error, description):
    """The page shown when the provider redirected back with ``?error=…`` (e.g. the user chose Deny)."""
    detail = description or "(the provider gave no description)"
    return layout(
        "Sign-in not completed",
        f"""<section class="card">
<div class="notice bad">{escape(provider_name)} did not sign you in.</div>
<h1>Sign-in not completed</h1>
<dl>
<dt>Error</dt><dd data-field="error">{escape(error)}</dd>
<dt>Description</dt><dd data-field="error_description">{escape(detail)}</dd>
</dl>
<p class="muted">The <code>state</code> parameter matched the one this app sent, so this answer really belongs to
the sign-in you started here.</p>
<p><a class="button" href="/">Back to the start</a></p>
</section>""",
    )


def problem_page(title, message):
    """A page for anything else that went wrong (bad state, failed token exchange, unknown page)."""
    return layout(
        title,
        f"""<section class="card">
<div class="notice bad">{escape(title)}</div>
<p>{escape(message)}</p>
<p><a class="button" href="/">Back to the start</a></p>
</section>""",
    )


def not_configured_page():
    """What a server started without a client answers until it is given one."""
    return problem_page("Not ready", "This client is starting; try again in a moment.")

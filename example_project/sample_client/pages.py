"""The sample client's HTML pages; every value is escaped with html.escape.

A different "company's" app from the example site, so it has its own look and
no Bootstrap: one inline style sheet.
"""

from html import escape

APP_NAME = "Sample third-party client"

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


def signed_out_page(provider_name):
    """The home page before sign-in: the "Sign in with …" button."""
    name = escape(provider_name)
    return layout(
        "Welcome",
        f"""<section class="card">
<h1>Welcome</h1>
<p>This app has no passwords of its own. Sign in with your {name} account: {name} asks whether you
allow this app to see your profile, then sends you back here.</p>
<p><a class="button" id="sign-in" href="/signin">Sign in with {name}</a></p>
<p class="muted">Authorization code flow with PKCE (S256) and a random <code>state</code>, as described in
RFC 6749 and RFC 7636.</p>
</section>""",
    )


def signed_in_page(provider_name, user, token_info):
    """The home page after sign-in: what ``/api/v4/users/me`` returned."""
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
<form method="post" action="/signout"><button class="button secondary" type="submit">Sign out</button></form>
</section>""",
    )


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

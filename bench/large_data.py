"""Fill mm_oauth's tables in bulk with PostgreSQL-side SQL (``INSERT … SELECT generate_series``).

Every count follows from the number of access tokens ``T``, as issue 10 sizes
them (1,000,000 tokens: 200,000 authorizations, 50,000 applications):

========================  ==========  ============================================
rows                      count       shape
========================  ==========  ============================================
users                     T / 20      four authorizations each
applications              T / 20      created a minute apart
authorizations            T / 5       authorization k: user k / 4, and an app of
                                      its phase (see ``app_of_auth``)
access tokens             T           five per authorization; token i is
                                      ``bench-at-<i>`` (stored as its SHA-256, as
                                      DOT does), 20% expired 40 days ago
refresh tokens            T / 2       live ones on tokens with i mod 10 in 1..5
                                      (1: its access token expired), a revoked
                                      one (40 days ago) for i mod 10 = 6
organizations             T / 200     one membership per user, half restricted;
                                      each approves one app, is asked for another,
                                      and has a private and a public project
codes (grants)            T / 10      20% expired
ID tokens                 T / 10      20% expired, none held by an access token
redeemed-code records     T / 10      two thirds older than a day
audit events              T / 5       spread over the last two years
========================  ==========  ============================================

A phase adds the rows of tokens ``[t0, t1)`` (multiples of 200), so the small
data set grows into the large one in place. Generated rows take ids from
``OFFSET`` on, computed from their number, so no lookup joins are needed and the
ORM's own rows (small ids from the sequences) never collide with them. A
phase's rows point only at its own applications and organizations, so deleting
an application of the small set (the delete-app measurement) breaks nothing the
growth adds.
"""

OFFSET = 1_000_000_000
TOKEN_PREFIX = "bench-at-"
CALLBACK = "https://bench.example.com/callback"
SCOPE = "read write"


def sizes(tokens):
    """Return the row counts for ``tokens`` access tokens."""
    return {
        "tokens": tokens,
        "users": tokens // 20,
        "apps": tokens // 20,
        "authorizations": tokens // 5,
        "organizations": tokens // 200,
    }


def app_of_auth(k, phases):
    """Return the number of authorization ``k``'s application, ``phases`` being the ``(t0, t1)`` generated."""
    for t0, t1 in phases:
        if t0 // 5 <= k < t1 // 5:
            return t0 // 20 + k % ((t1 - t0) // 20)
    raise ValueError(f"authorization {k} was not generated")


def org_of_user(u, phases):
    """Return the number of the organization user ``u`` is a member of."""
    for t0, t1 in phases:
        if t0 // 20 <= u < t1 // 20:
            return t0 // 200 + u % ((t1 - t0) // 200)
    raise ValueError(f"user {u} was not generated")


def sha256(text_sql):
    return f"encode(sha256(convert_to({text_sql}, 'UTF8')), 'hex')"


def phase_statements(t0, t1, secret_hash):
    """Return ``[(table, sql, params)]`` inserting the rows of tokens ``[t0, t1)``."""
    p0, pn = t0 // 20, (t1 - t0) // 20  # this phase's applications: p0 .. p0 + pn - 1
    o0, on = t0 // 200, (t1 - t0) // 200  # and organizations
    off = OFFSET
    user_of_auth = f"{off} + k / 4"
    app_of_auth = f"{off} + {p0} + k % {pn}"
    return [
        (
            "auth_user",
            f"""INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                    is_staff, is_active, date_joined)
                SELECT {off} + u, '!', false, 'bench-' || u, 'Bench', 'User ' || u, 'bench-' || u || '@example.com',
                    false, true, now()
                FROM generate_series({t0 // 20}, {t1 // 20 - 1}) u""",
            [],
        ),
        (
            "mm_oauth_organization",
            f"""INSERT INTO mm_oauth_organization (id, name, slug, restrict_third_party_apps, created_at)
                SELECT {off} + o, 'Bench org ' || o, 'bench-org-' || o, o % 2 = 0, now()
                FROM generate_series({t0 // 200}, {t1 // 200 - 1}) o""",
            [],
        ),
        (
            "mm_oauth_application",
            f"""INSERT INTO mm_oauth_application (id, client_id, redirect_uris, post_logout_redirect_uris,
                    client_secret, hash_client_secret, skip_authorization, created, updated, algorithm,
                    allowed_origins, registration_source, name, description, homepage, icon_url, client_type,
                    authorization_grant_type, is_trusted, previous_client_secret, allowed_scopes,
                    token_endpoint_auth_method, user_id)
                SELECT {off} + p, 'bench-app-' || p, '{CALLBACK}', '', %s, true, false,
                    now() - make_interval(mins => {t1 // 20} - p), now(), '', '', 'manual', 'Bench app ' || p,
                    'Benchmark client', 'https://bench.example.com/', '', 'confidential', 'authorization-code',
                    false, '', '', '', {off} + p
                FROM generate_series({t0 // 20}, {t1 // 20 - 1}) p""",
            [secret_hash],
        ),
        (
            "mm_oauth_membership",
            f"""INSERT INTO mm_oauth_membership (role, created_at, user_id, organization_id)
                SELECT CASE WHEN u - {t0 // 20} < {on} THEN 'owner' ELSE 'member' END, now(), {off} + u,
                    {off} + {o0} + u % {on}
                FROM generate_series({t0 // 20}, {t1 // 20 - 1}) u""",
            [],
        ),
        (
            "mm_oauth_appaccess",
            f"""INSERT INTO mm_oauth_appaccess (state, requested_at, decided_at, application_id, organization_id)
                SELECT s.state, now(), CASE WHEN s.state = 'approved' THEN now() END,
                    {off} + {p0} + (o * 7 + s.shift) % {pn}, {off} + o
                FROM generate_series({t0 // 200}, {t1 // 200 - 1}) o,
                    (VALUES ('approved', 0), ('requested', 1)) s(state, shift)""",
            [],
        ),
        (
            "example_site_project",
            f"""INSERT INTO example_site_project (name, private, created_at, organization_id)
                SELECT 'Project ' || o || CASE WHEN private THEN ' (private)' ELSE '' END, private, now(), {off} + o
                FROM generate_series({t0 // 200}, {t1 // 200 - 1}) o, (VALUES (true), (false)) v(private)""",
            [],
        ),
        (
            "mm_oauth_authorization",
            f"""INSERT INTO mm_oauth_authorization (id, scope, created_at, updated_at, user_id, application_id)
                SELECT {off} + k, '{SCOPE}', now() - make_interval(mins => k % 1000), now(),
                    {user_of_auth}, {app_of_auth}
                FROM generate_series({t0 // 5}, {t1 // 5 - 1}) k""",
            [],
        ),
        (
            "oauth2_provider_accesstoken",
            f"""INSERT INTO oauth2_provider_accesstoken (id, token, token_checksum, expires, scope, application_id,
                    user_id, created, updated, resource)
                SELECT {off} + i, '', {sha256(f"'{TOKEN_PREFIX}' || i")},
                    CASE WHEN i % 10 < 2 THEN now() - interval '40 days' ELSE now() + interval '10 hours' END,
                    '{SCOPE}', {off} + {p0} + (i / 5) % {pn}, {off} + i / 20, now(), now(), '[]'
                FROM generate_series({t0}, {t1 - 1}) i""",
            [],
        ),
        (
            "oauth2_provider_refreshtoken",
            f"""INSERT INTO oauth2_provider_refreshtoken (id, token, token_checksum, access_token_id, application_id,
                    user_id, created, updated, revoked, token_family, resource)
                SELECT {off} + i, '', {sha256("'bench-rt-' || i")},
                    CASE WHEN i % 10 = 6 THEN NULL ELSE {off} + i END,
                    {off} + {p0} + (i / 5) % {pn}, {off} + i / 20, now(), now(),
                    CASE WHEN i % 10 = 6 THEN now() - interval '40 days' END, gen_random_uuid(), '[]'
                FROM generate_series({t0}, {t1 - 1}) i WHERE i % 10 BETWEEN 1 AND 6""",
            [],
        ),
        (
            "oauth2_provider_grant",
            f"""INSERT INTO oauth2_provider_grant (code, expires, redirect_uri, scope, application_id, user_id,
                    created, updated, code_challenge, code_challenge_method, nonce, claims, resource)
                SELECT {sha256("'bench-code-' || g")},
                    CASE WHEN g % 10 < 2 THEN now() - interval '1 day' ELSE now() + interval '10 minutes' END,
                    '{CALLBACK}', '{SCOPE}',
                    {off} + {p0} + (g * 2) % {pn}, {off} + g / 2, now(), now(), '', '', '', '', '[]'
                FROM generate_series({t0 // 10}, {t1 // 10 - 1}) g""",
            [],
        ),
        (
            "oauth2_provider_idtoken",
            f"""INSERT INTO oauth2_provider_idtoken (jti, expires, scope, created, updated, application_id, user_id)
                SELECT gen_random_uuid(),
                    CASE WHEN j % 10 < 2 THEN now() - interval '40 days' ELSE now() + interval '10 hours' END,
                    'openid', now(), now(),
                    {off} + {p0} + (j * 2) % {pn}, {off} + j / 2
                FROM generate_series({t0 // 10}, {t1 // 10 - 1}) j""",
            [],
        ),
        (
            "mm_oauth_redeemedcode",
            f"""INSERT INTO mm_oauth_redeemedcode (code_checksum, redeemed_at, application_id)
                SELECT {sha256("'bench-redeemed-' || r")}, now() - make_interval(days => r % 3), {off} + {p0} + r % {pn}
                FROM generate_series({t0 // 10}, {t1 // 10 - 1}) r""",
            [],
        ),
        (
            "mm_oauth_auditevent",
            f"""INSERT INTO mm_oauth_auditevent (action, actor_label, target_type, target_id, target_label, changes,
                    user_agent, created_at, actor_id)
                SELECT 'oauth_authorization.granted', 'bench-' || e / 4, 'oauth_app', 'bench-app-' || ({p0} + e % {pn}),
                    'Bench app ' || ({p0} + e % {pn}), '{{}}', '', now() - make_interval(days => e % 730), {off} + e / 4
                FROM generate_series({t0 // 5}, {t1 // 5 - 1}) e""",
            [],
        ),
    ]


GROWING_TABLES = (
    "auth_user",
    "mm_oauth_application",
    "mm_oauth_authorization",
    "mm_oauth_organization",
    "mm_oauth_membership",
    "mm_oauth_appaccess",
    "mm_oauth_auditevent",
    "mm_oauth_redeemedcode",
    "oauth2_provider_accesstoken",
    "oauth2_provider_refreshtoken",
    "oauth2_provider_grant",
    "oauth2_provider_idtoken",
    "example_site_project",
)


def generate(connection, t0, t1, secret_hash, log=print, vacuum=True):
    """Insert the rows of tokens ``[t0, t1)``, then VACUUM ANALYZE what grew (as autovacuum would in time).

    ``vacuum`` False only ANALYZEs, which works inside a transaction (a test's).
    """
    assert t0 % 200 == 0 and t1 % 200 == 0 and t1 > t0, "token counts are multiples of 200"
    with connection.cursor() as cursor:
        for table, sql, params in phase_statements(t0, t1, secret_hash):
            # No params, no placeholders: the modulo signs stay as they are.
            cursor.execute(sql, params or None)
            log(f"  {table}: +{cursor.rowcount:,}")
        for table in GROWING_TABLES:
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {table}")

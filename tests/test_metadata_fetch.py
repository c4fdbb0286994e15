"""The client metadata document fetcher against a real local HTTPS server: every SSRF rule, limit and cache rule."""

import pytest

from mm_oauth.services.metadata_fetch import MetadataFetcher, MetadataFetchError, cache_seconds, internal_kind
from tests.metadata_server import DocumentServer, write_certificate

DOCUMENT = {"client_id": "set per test", "redirect_uris": ["http://127.0.0.1:9/cb"]}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return write_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(certificate):
    with DocumentServer(*certificate) as running:
        yield running


@pytest.fixture
def trusting(certificate, mm_oauth_settings):
    """Loopback allowed and the test certificate trusted, short time limits."""
    mm_oauth_settings(
        CIMD_ALLOW_LOOPBACK=True,
        CIMD_CA_BUNDLE=str(certificate[0]),
        CIMD_CONNECT_TIMEOUT_SECONDS=1.0,
        CIMD_READ_TIMEOUT_SECONDS=0.5,
    )


def fetch(url):
    return MetadataFetcher().fetch(url)


def refusal(url):
    with pytest.raises(MetadataFetchError) as raised:
        fetch(url)
    return str(raised.value)


def test_fetches_a_json_document_over_verified_tls(server, trusting):
    url = server.serve("/ok.json", {**DOCUMENT, "client_id": "x"}, headers={"Cache-Control": "max-age=120"})
    document, max_age = fetch(url)
    assert document["redirect_uris"] == ["http://127.0.0.1:9/cb"]
    assert max_age == 120


def test_an_untrusted_certificate_is_refused(server, mm_oauth_settings):
    mm_oauth_settings(CIMD_ALLOW_LOOPBACK=True)  # no CA bundle: the system store does not know the test CA
    url = server.serve("/tls.json", DOCUMENT)
    assert "TLS failed" in refusal(url)


def test_redirects_are_refused(server, trusting):
    server.serve("/elsewhere.json", DOCUMENT)
    url = server.serve("/moved.json", b"", status=302, headers={"Location": server.url("/elsewhere.json")})
    assert "redirect (HTTP 302)" in refusal(url)
    assert server.hits.get("/elsewhere.json") is None


def test_other_statuses_are_refused(server, trusting):
    assert "HTTP 404" in refusal(server.url("/missing.json"))


def test_a_document_past_the_size_limit_is_refused(server, trusting, mm_oauth_settings):
    mm_oauth_settings(CIMD_MAX_DOCUMENT_BYTES=1024)
    big = {**DOCUMENT, "client_name": "x" * 2000}
    assert "larger than 1024 bytes" in refusal(server.serve("/big.json", big))
    # Without a Content-Length the body is read in chunks and abandoned past the limit.
    url = server.serve("/big-undeclared.json", big, headers={"Connection": "close"}, drip=0.0001)
    assert "larger than 1024 bytes" in refusal(url)


def test_a_slow_server_is_refused(server, trusting):
    assert "did not send the metadata document within 1.5 seconds" in refusal(
        server.serve("/slow.json", DOCUMENT, delay=1.0)
    )


def test_a_server_dripping_bytes_inside_the_read_timeout_is_cut_off(server, trusting):
    url = server.serve("/drip.json", {**DOCUMENT, "client_name": "y" * 40}, drip=0.1)
    assert "within 1.5 seconds" in refusal(url)


@pytest.mark.parametrize("content_type", ["text/html", "text/plain", "application/octet-stream"])
def test_a_document_that_is_not_json_is_refused(server, trusting, content_type):
    url = server.serve(f"/type-{content_type.replace('/', '-')}", DOCUMENT, headers={"Content-Type": content_type})
    assert f'served as "{content_type}"' in refusal(url)


def test_a_body_that_is_not_a_json_object_is_refused(server, trusting):
    assert "not valid JSON" in refusal(server.serve("/broken.json", b"{not json"))
    assert "JSON object" in refusal(server.serve("/list.json", b"[1, 2]"))


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://localhost/doc.json", "https"),
        ("https://localhost", "path"),
        ("https://user@localhost/doc.json", "userinfo"),
        ("https://localhost/doc.json#part", "fragment"),
        ("https://localhost/a/../doc.json", "dot path segments"),
    ],
)
def test_urls_the_draft_forbids_are_refused_before_any_request(url, problem, trusting):
    assert problem in refusal(url)


@pytest.mark.parametrize(
    "host, kind",
    [
        ("localhost", "loopback"),  # a name that resolves to 127.0.0.1
        ("127.0.0.1", "loopback"),
        ("[::1]", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.20", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata endpoints
        ("[::ffff:127.0.0.1]", "loopback 127.0.0.1 inside an IPv6 address"),
        ("[::ffff:10.0.0.1]", "private 10.0.0.1 inside an IPv6 address"),
        ("[fe80::1]", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_internal_addresses_are_refused_after_resolution(server, host, kind, certificate, mm_oauth_settings):
    mm_oauth_settings(CIMD_ALLOW_LOOPBACK=False, CIMD_CA_BUNDLE=str(certificate[0]))
    server.serve("/internal.json", DOCUMENT)
    message = refusal(f"https://{host}:{server.port}/internal.json")
    assert f"an internal address ({kind})" in message and "public addresses only" in message
    assert server.hits.get("/internal.json") is None  # refused before connecting


def test_the_loopback_setting_admits_loopback_only(mm_oauth_settings):
    mm_oauth_settings(CIMD_ALLOW_LOOPBACK=True)
    assert internal_kind("127.0.0.1") == internal_kind("::1") == ""
    assert internal_kind("10.0.0.1") == "private"
    assert internal_kind("169.254.169.254") == "link-local"
    assert internal_kind("93.184.215.14") == ""  # a public address


def test_a_name_that_does_not_resolve_is_refused(trusting):
    assert "could not be resolved" in refusal("https://no-such-host.invalid/doc.json")


def test_the_cache_keeps_a_document_for_its_max_age(server, trusting):
    url = server.serve("/cached.json", DOCUMENT, headers={"Cache-Control": "public, max-age=600"})
    first, second = fetch(url), fetch(url)
    assert first[0] == second[0] and server.hits["/cached.json"] == 1
    assert 598 <= second[1] <= 600  # what is left of its lifetime


@pytest.mark.parametrize("header", ["no-store", "no-cache", "max-age=600, no-store"])
def test_no_store_documents_are_fetched_every_time(server, trusting, header):
    path = f"/nostore-{header.replace(' ', '').replace(',', '-')}.json"
    url = server.serve(path, DOCUMENT, headers={"Cache-Control": header})
    assert fetch(url)[1] == 0 and fetch(url)[1] == 0
    assert server.hits[path] == 2


def test_cache_lifetimes_are_bounded(mm_oauth_settings):
    mm_oauth_settings(CIMD_CACHE_MIN_SECONDS=60, CIMD_CACHE_MAX_SECONDS=3600)
    assert cache_seconds("max-age=5") == 60
    assert cache_seconds("max-age=999999") == 3600
    assert cache_seconds(None) == 60
    assert cache_seconds('max-age="120"') == 120
    assert cache_seconds("no-store") == 0

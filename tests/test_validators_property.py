"""Property-based tests (hypothesis) of the application field rules in ``mm_oauth.validators``."""

import string
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mm_oauth import validators

PROPERTY = settings(max_examples=200, deadline=None)
URL_VALIDATORS = [validators.validate_homepage, validators.validate_icon_url, lambda url: check_callbacks([url])]

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?", fullmatch=True)
tld = st.from_regex(r"[a-z]{2,6}", fullmatch=True)
host = st.builds(lambda labels, top: ".".join([*labels, top]), st.lists(label, min_size=1, max_size=3), tld)
unicode_label = st.text(
    st.characters(min_codepoint=0xA1, max_codepoint=0xFFFF, categories=("Ll", "Lo")), min_size=1, max_size=12
)
segment = st.text(string.ascii_letters + string.digits + "-._~", min_size=0, max_size=12)
query = st.dictionaries(
    st.text(string.ascii_letters, min_size=1, max_size=6), st.text(string.ascii_letters + string.digits, max_size=6)
)


@st.composite
def http_urls(draw, hosts=host):
    """An absolute http(s) URL without a fragment: scheme, host, optional port, path, optional query."""
    scheme = draw(st.sampled_from(["http", "https"]))
    port = draw(st.one_of(st.none(), st.integers(1, 65535)))
    path = "/".join(draw(st.lists(segment, max_size=4)))
    params = draw(query)
    url = f"{scheme}://{draw(hosts)}{f':{port}' if port else ''}/{path}"
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def check_callbacks(urls, *, allow_http=True):
    """Validate callbacks; plain http is allowed for any host unless ``allow_http`` is False.

    Most properties here are about the URL grammar, whatever the host; the
    loopback rule for plain http has properties of its own below.
    """
    with override_settings(MM_OAUTH={"ALLOW_HTTP_CALLBACKS": allow_http}):
        validators.validate_callback_urls(urls)


def codes(exc):
    return {error.code for error in exc.error_list}


def rejects(validate, value):
    try:
        validate(value)
    except ValidationError:
        return True
    return False


@PROPERTY
@given(url=http_urls())
def test_any_http_url_without_a_fragment_is_accepted_everywhere(url):
    for validate in URL_VALIDATORS:
        validate(url)


@PROPERTY
@given(url=http_urls(hosts=st.builds(lambda name, top: f"{name}.{top}", unicode_label, tld)))
def test_internationalized_hostnames_are_accepted_as_typed(url):
    # Django's URLValidator accepts Unicode hostnames; redirect URIs then match exactly as registered.
    check_callbacks([url])


@PROPERTY
@given(url=http_urls(), data=st.data())
def test_whitespace_anywhere_is_rejected(url, data):
    position = data.draw(st.integers(0, len(url)))
    space = data.draw(st.characters(categories=("Zs", "Zl", "Zp", "Cc")).filter(str.isspace))
    spaced = url[:position] + space + url[position:]
    for validate in URL_VALIDATORS:
        assert rejects(validate, spaced), repr(spaced)


@PROPERTY
@given(
    scheme=st.from_regex(r"[a-z][a-z0-9+.-]{0,10}", fullmatch=True).filter(lambda s: s not in ("http", "https")),
    rest=http_urls(),
)
def test_any_other_scheme_is_rejected(scheme, rest):
    url = scheme + rest[rest.index(":") :]
    for validate in URL_VALIDATORS:
        assert rejects(validate, url), url


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "//x.example/cb"]
)
def test_script_and_data_urls_are_rejected(url):
    for validate in URL_VALIDATORS:
        assert rejects(validate, url)


@PROPERTY
@given(url=http_urls(), fragment=st.text(string.ascii_letters + string.digits + "/-", max_size=10))
def test_callbacks_with_a_fragment_are_rejected(url, fragment):
    with pytest.raises(ValidationError) as excinfo:
        check_callbacks([f"{url}#{fragment}"])
    assert codes(excinfo.value) == {"fragment"}


@PROPERTY
@given(urls=st.lists(http_urls(), min_size=1, max_size=5, unique=True), data=st.data())
def test_a_callback_listed_twice_is_rejected(urls, data):
    assume(len(" ".join(urls)) * 2 < validators.CALLBACK_URLS_MAX_TOTAL_LENGTH)
    twice = data.draw(st.sampled_from(urls))
    with pytest.raises(ValidationError) as excinfo:
        check_callbacks([*urls, twice])
    assert codes(excinfo.value) == {"duplicate"}


@st.composite
def callbacks_of_total_length(draw, total):
    """Distinct valid callbacks whose space-joined length is exactly ``total``."""
    count = draw(st.integers(1, 8))
    prefixes = [f"https://h{i}.example.com/" for i in range(count)]
    extras = draw(st.lists(st.integers(0, 120), min_size=count - 1, max_size=count - 1))
    last = total - (count - 1) - sum(len(p) for p in prefixes) - sum(extras)
    assume(last >= 0)
    return [prefix + "a" * extra for prefix, extra in zip(prefixes, [*extras, last], strict=True)]


@PROPERTY
@given(data=st.data(), total=st.integers(990, 1060))
def test_the_total_length_rule_holds_exactly_at_1024(data, total):
    urls = data.draw(callbacks_of_total_length(total))
    assert len(" ".join(urls)) == total
    if total <= validators.CALLBACK_URLS_MAX_TOTAL_LENGTH:
        check_callbacks(urls)
    else:
        with pytest.raises(ValidationError) as excinfo:
            check_callbacks(urls)
        assert codes(excinfo.value) == {"max_length"}


def test_no_callbacks_at_all_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        check_callbacks([])
    assert codes(excinfo.value) == {"required"}


@given(st.just(""))
def test_an_empty_icon_url_is_allowed(empty):
    validators.validate_icon_url(empty)


@PROPERTY
@given(urls=st.lists(http_urls(), max_size=6), data=st.data())
def test_split_callback_urls_round_trips_one_url_per_line(urls, data):
    assert validators.split_callback_urls("\n".join(urls)) == urls
    # Windows line ends, indentation and blank lines, as a textarea may send them, change nothing.
    padding = st.text(" \t", max_size=3)
    lines = [data.draw(padding) + url + data.draw(padding) for url in urls]
    text = "\r\n\r\n".join(lines) + data.draw(st.sampled_from(["", "\n", "\r\n  \n"]))
    assert validators.split_callback_urls(text) == urls


@PROPERTY
@given(text=st.text(max_size=200))
def test_split_callback_urls_gives_stripped_non_blank_lines_and_is_idempotent(text):
    urls = validators.split_callback_urls(text)
    assert all(url and url == url.strip() for url in urls)
    assert validators.split_callback_urls("\n".join(urls)) == urls


# ---------------------------------------------------------------------------
# Plain http on the loopback interface only (RFC 8252 section 8.3); never credentials.
# ---------------------------------------------------------------------------

loopback_host = st.one_of(
    st.builds(lambda a, b, c: f"127.{a}.{b}.{c}", *[st.integers(0, 255)] * 3),
    st.just("[::1]"),
    st.sampled_from(["localhost", "LocalHost"]),
)


def with_scheme(url, scheme):
    return scheme + url[url.index(":") :]


@PROPERTY
@given(url=http_urls(hosts=loopback_host))
def test_plain_http_on_any_loopback_address_is_accepted(url):
    check_callbacks([with_scheme(url, "http")], allow_http=False)


@PROPERTY
@given(url=http_urls())
def test_plain_http_elsewhere_is_rejected_naming_the_url(url):
    url = with_scheme(url, "http")
    with pytest.raises(ValidationError) as excinfo:
        check_callbacks([url], allow_http=False)
    assert codes(excinfo.value) == {"insecure"}
    assert url in excinfo.value.messages[0]
    check_callbacks([with_scheme(url, "https")], allow_http=False)


userinfo = st.from_regex(r"[a-z0-9]{1,8}(:[a-z0-9]{0,8})?", fullmatch=True)


@PROPERTY
@given(url=http_urls(hosts=st.one_of(host, loopback_host)), credentials=userinfo, allow_http=st.booleans())
def test_callbacks_with_credentials_are_rejected_whatever_the_setting(url, credentials, allow_http):
    scheme, rest = url.split("://", 1)
    with pytest.raises(ValidationError) as excinfo:
        check_callbacks([f"{scheme}://{credentials}@{rest}"], allow_http=allow_http)
    assert codes(excinfo.value) == {"userinfo"}


# ---------------------------------------------------------------------------
# Display names and descriptions: no control characters, no bidi controls, something visible.
# ---------------------------------------------------------------------------

visible_text = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=30)
spaced_text = st.text(st.characters(categories=("L", "N", "P", "S", "Zs", "Mn")), max_size=30)
control = st.characters(categories=("Cc",))
bidi = st.sampled_from(sorted(validators.BIDI_CONTROLS))
invisible = st.text(st.sampled_from(" \u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"), min_size=1, max_size=10)


def error_codes(validate, value):
    try:
        validate(value)
    except ValidationError as exc:
        return codes(exc)
    return set()


@PROPERTY
@given(before=spaced_text, visible=visible_text, after=spaced_text)
def test_a_name_with_visible_text_and_no_controls_is_accepted(before, visible, after):
    validators.validate_name(before + visible + after)


@PROPERTY
@given(text=visible_text, inserted=st.one_of(control, st.sampled_from("\u2028\u2029")), data=st.data())
def test_a_name_with_a_control_character_or_line_separator_is_rejected(text, inserted, data):
    position = data.draw(st.integers(0, len(text)))
    assert error_codes(validators.validate_name, text[:position] + inserted + text[position:]) == {"control_character"}


@PROPERTY
@given(text=visible_text, inserted=bidi, data=st.data())
def test_a_name_or_description_with_a_bidi_control_is_rejected(text, inserted, data):
    position = data.draw(st.integers(0, len(text)))
    value = text[:position] + inserted + text[position:]
    assert error_codes(validators.validate_name, value) == {"bidi_control"}
    assert error_codes(validators.validate_description, value) == {"bidi_control"}


@PROPERTY
@given(text=invisible)
def test_a_name_of_only_whitespace_and_format_characters_is_rejected(text):
    assert all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)
    assert error_codes(validators.validate_name, text) == {"invisible"}


@PROPERTY
@given(lines=st.lists(spaced_text, max_size=6), breaks=st.lists(st.sampled_from(["\n", "\r\n", "\t"]), max_size=6))
def test_a_description_may_break_lines_and_hold_tabs(lines, breaks):
    text = "".join(line + sep for line, sep in zip(lines, breaks, strict=False)) + "".join(lines[len(breaks) :])
    validators.validate_description(text)


@PROPERTY
@given(text=spaced_text, inserted=control.filter(lambda ch: ch not in "\n\r\t"), data=st.data())
def test_a_description_with_any_other_control_character_is_rejected(text, inserted, data):
    position = data.draw(st.integers(0, len(text)))
    value = text[:position] + inserted + text[position:]
    assert error_codes(validators.validate_description, value) == {"control_character"}

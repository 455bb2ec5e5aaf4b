"""A form fuzzer: every page each role reaches, every form on it, posted with malformed values.

Used by the seeded sample in the suite (tests/web/test_fuzz_forms.py) and by the long run in
benchmarks/fuzz_forms.py. It finds pages by walking the app's URL map (arguments filled with the
ids seen in the links of the pages it has read, starting from the home page), reads each page's
forms, and posts them with one or more fields replaced by a malformed value (or a wrong type:
a list, a missing field, a string where a file goes). Every response must be below 500 and
must not carry ``MARKER`` unescaped.
"""
import io
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import islice
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

MARKER = "<x-fuzz>"
MALFORMED = [
    "", " ", "   \t\n ", "x" * 100_000, "a\x00b", "\x00", "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 مرحبا 中文", "\u202e\ufeff",
    MARKER, f"{MARKER}\"'><script>", "99999999999999999999999999", "-99999999999999999999",
    "9223372036854775808", "2147483648", "-1", "0", "1e309", "NaN", "1.5", "0x10", "٣",
    "2026-02-30", "2026-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "31/12/2026",
    "25:61", "99:99", "-0", "true", "null", "[]", "{}", "../../etc/passwd", "%00", "%s%n",
]
# Forms never posted: signing out would end the role's session mid-run.
SKIPPED_ACTIONS = ("/logout",)


@dataclass
class Form:
    """A form as a browser sees it: where it posts and its fields (name, kind, sample values)."""

    action: str
    fields: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (re.sub(r"\d+", "N", self.action), tuple(sorted(n for n, *_ in self.fields)))


class _FormParser(HTMLParser):
    """Collects the page's links and its POST forms."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str]] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(urljoin(self.page_url, a.get("action") or self.page_url))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if a.get("value") is not None:
                    self._form.fields.append((a["name"], "submit", [a["value"]]))
                return
            self._form.fields.append((a["name"], kind, [a.get("value") or ""]))
        elif tag == "button" and a.get("value") is not None:
            self._form.fields.append((a["name"], "submit", [a["value"]]))
        elif tag == "select":
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields.append((a["name"], "textarea", [""]))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select[0], "select", self._select[1] or [""]))
            self._select = None


@dataclass
class Report:
    """What a run did: counts of responses by status class, and the failures found."""

    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    pages: int = 0
    forms: int = 0

    @property
    def submissions(self) -> int:
        return sum(n for kind, n in self.counts.items() if kind.startswith("POST"))

    def record(self, method: str, url: str, response, sent=None) -> None:
        status = response.status_code
        self.counts[f"{method} {status // 100}xx"] += 1
        # Only a page can reflect markup into a browser; downloads (CSV, ZIP) are not rendered.
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        if status >= 500:
            self.failures.append(f"{status} from {method} {url} with {_short(sent)}")
        elif MARKER in body:
            self.failures.append(f"unescaped marker in {method} {url} with {_short(sent)}")

    def summary(self) -> str:
        """One line per status class, then the failures."""
        lines = [f"pages read: {self.pages}, distinct forms: {self.forms}, "
                 f"submissions: {self.submissions}"]
        lines += [f"  {kind}: {n}" for kind, n in sorted(self.counts.items())]
        lines.append(f"  failures (5xx or unescaped marker): {len(self.failures)}")
        lines += [f"    {f}" for f in self.failures[:50]]
        return "\n".join(lines)


def _short(sent) -> str:
    if not sent:
        return "nothing"
    return repr({k: (v[:40] + f"...({len(v)})" if isinstance(v, str) and len(v) > 40 else v)
                 for k, v in (sent.items() if hasattr(sent, "items") else sent)})[:400]


class Fuzzer:
    """Drives one signed-in test client over the app's pages and forms."""

    def __init__(self, app, client, rng: random.Random, report: Report, *, max_pages: int = 400):
        self.app, self.client, self.rng, self.report = app, client, rng, report
        self.max_pages = max_pages
        self.adapter = app.url_map.bind("localhost")

    def crawl(self, start: str = "/") -> list[Form]:
        """Read every page reachable from ``start`` and every GET route of the URL map whose
        arguments the links seen so far can fill; return the distinct forms found."""
        seen, queue, forms = set(), [start], {}
        values: dict[str, set] = {}
        while queue and len(seen) < self.max_pages:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            links, found = self._read(url)
            for form in found:
                forms.setdefault(form.key, form)
            queue += [href for href in links if href not in seen and self._routable(href, values)]
            if not queue:
                queue = [u for u in self._from_url_map(values) if u not in seen]
        self.report.pages += len(seen)
        return list(forms.values())

    def fuzz(self, forms: list[Form], per_form: int) -> None:
        """Post each form ``per_form`` times with malformed values; follow each redirect once."""
        self.report.forms += len(forms)
        for form in forms:
            if urlsplit(form.action).path.startswith(SKIPPED_ACTIONS):
                continue
            for _ in range(per_form):
                data, files = self._malformed(form)
                path = urlsplit(form.action).path
                response = self.client.post(path, data={**data, **files}, content_type="multipart/form-data")
                self.report.record("POST", path, response, data)
                location = response.headers.get("Location", "")
                if 300 <= response.status_code < 400 and location.startswith("/") and \
                        not location.startswith("/login"):
                    self.report.record("GET", location, self.client.get(location), None)

    def _read(self, url: str) -> tuple[list[str], list[Form]]:
        response = self.client.get(url)
        self.report.record("GET", url, response)
        if response.status_code != 200 or "html" not in response.content_type:
            return [], []
        parser = _FormParser("http://localhost" + url)
        parser.feed(response.get_data(as_text=True))
        return parser.links, parser.forms

    def _routable(self, href: str, values: dict[str, set]) -> bool:
        path = urlsplit(href).path
        if path.startswith(("/static/", "/logout")) or path.endswith((".ics", ".csv")):
            return False
        try:
            endpoint, args = self.adapter.match(path, method="GET")
        except (HTTPException, RequestRedirect):
            return False
        for name, value in args.items():
            values.setdefault(name, set()).add(value)
        return endpoint != "static"

    def _from_url_map(self, values: dict[str, set]) -> list[str]:
        urls = []
        for rule in self.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if not all(arg in values or arg in (rule.defaults or {}) for arg in rule.arguments):
                continue
            args = {arg: self.rng.choice(sorted(values[arg], key=str)) for arg in rule.arguments
                    if arg not in (rule.defaults or {})}
            try:
                urls.append(self.adapter.build(rule.endpoint, args, method="GET"))
            except Exception:  # noqa: BLE001 - a combination the rule refuses (a converter's range)
                continue
        return list(islice((u for u in urls if not u.endswith((".ics", ".csv"))), 200))

    def _malformed(self, form: Form) -> tuple[dict, dict]:
        """The form's fields with some replaced: malformed values, lists, omissions, wrong types."""
        rng = self.rng
        data: dict[str, object] = {}
        files: dict[str, object] = {}
        fields = form.fields or [("unexpected", "text", [""])]
        targets = {name for name, kind, _ in fields if kind != "submit" and rng.random() < 0.6}
        if not targets:
            targets = {rng.choice(fields)[0]}
        for name, kind, samples in fields:
            if name not in targets:
                if kind == "file":
                    files[name] = (io.BytesIO(b"code,left_on\nX,2026-01-01\n"), "good.csv")
                elif kind in ("checkbox", "radio") and rng.random() < 0.5:
                    continue
                else:
                    data[name] = rng.choice(samples)
                continue
            roll = rng.random()
            if roll < 0.08:
                continue  # missing altogether
            if roll < 0.16:
                data[name] = [rng.choice(MALFORMED), rng.choice(MALFORMED)]  # a list for one value
            elif kind == "file" and roll < 0.6:
                payload = rng.choice([b"", b"\xff\xfe\x00bad", MARKER.encode(), b"a,b\n" * 20000,
                                      "code,left_on,reason\nΩ,2026-02-30,x\n".encode()])
                files[name] = (io.BytesIO(payload), rng.choice(["x.csv", "x.exe", "", "../x.csv"]))
            else:
                data[name] = rng.choice(MALFORMED)
        if rng.random() < 0.1:
            data[rng.choice(["id", "user_id", "programme_id", "role"])] = rng.choice(MALFORMED)
        return data, files


def demo_roles() -> list[str | None]:
    """The demo's sign-ins, one per role (None: signed out), in an order where a role's fuzzed
    changes cannot lock the later ones out: participants first, the admin last."""
    from sqlalchemy import select

    from trainer.extensions import db
    from trainer.models import Membership, User

    comparison = db.session.scalar(select(User.email).join(Membership).where(
        Membership.role == "participant", Membership.arm == "comparison").order_by(User.id).limit(1))
    return [None, "participant@demo.test", comparison, "trainer@demo.test", "lead@demo.test",
            "admin@demo.test"]


def run(app, modules_dir, *, per_form: int, seed: int, max_pages: int = 400,
        report: Report | None = None) -> Report:
    """Load the demo (as ``flask seed-demo`` does) into the app's empty database, then sign in as
    each demo role and fuzz every form it reaches ``per_form`` times; return the report."""
    from trainer.clock import utcnow
    from trainer.extensions import db
    from trainer import demo

    if not demo.has_programmes():
        demo.seed(modules_dir, now=utcnow(), base_url="http://localhost")
    roles = demo_roles()
    db.session.remove()
    report, rng = report or Report(), random.Random(seed)
    for email in roles:
        client = app.test_client()
        if email:
            signed_in = client.post("/login", data={"email": email, "password": demo.DEMO_PASSWORD})
            assert signed_in.status_code == 302, f"{email} could not sign in"
        fuzzer = Fuzzer(app, client, rng, report, max_pages=max_pages)
        fuzzer.fuzz(fuzzer.crawl("/"), per_form)
    return report

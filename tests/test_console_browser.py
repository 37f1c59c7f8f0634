"""The console in a real browser: headless Chromium (Debian's chromium + chromium-driver,
driven by Selenium) against `ssa serve` on 127.0.0.1 with a SQLite store seeded by a
real screening (console_helpers.seed). What the pages show is checked against what the
API answers for the same key. With SSA_SCREENSHOT_DIR set, the main pages are saved
there as PNG (the README's screenshots in docs/console/ come from these tests)."""
from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console_helpers import BRIK_II, DELFI_N3XT, STARLINK_59580, chrome, chromium_paths, seed
from serve_helpers import ServeProcess

BROWSER, DRIVER = chromium_paths()
pytestmark = pytest.mark.skipif(BROWSER is None or DRIVER is None,
                                reason="no Chromium with chromedriver found (Debian: apt-get install chromium "
                                       "chromium-driver; .ci/run installs them)")
WAIT_S = 30
SHOTS = os.environ.get("SSA_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """The seeded store, `ssa serve` on it, keys, and the time the browser's clock reads:
    10 minutes after the first alerted TCA, so some alerts are past and the rest upcoming."""
    folder = tmp_path_factory.mktemp("console")
    url, store = seed(folder)
    keys = {"admin": store.create_key("admin", label="duty admin"),
            "dssc": store.create_key("agency", party="dssc", label="DSSC duty officer"),
            "analyst": store.create_key("analyst", label="analyst")}
    server = ServeProcess(folder, url)
    first_tca = min(a["conjunction"]["TCA"] for a in visible_alerts(server, keys["admin"]))
    clock = datetime.fromisoformat(first_tca).replace(tzinfo=UTC) + timedelta(minutes=10)
    yield server, store, keys, clock
    server.stop()
    store.engine.dispose()


@pytest.fixture(scope="module")
def browser(console):
    """Chromium whose clock reads the fixture's time (so time to event reads as on a duty day)."""
    session = chrome(clock=console[3])
    session.implicitly_wait(0)
    yield session
    session.quit()


def wait(browser, predicate, what: str):
    """predicate(browser)'s first truthy value; elements gone stale in a redraw or a page change are retried."""
    from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_S, poll_frequency=0.1, ignored_exceptions=(
        StaleElementReferenceException, JavascriptException)).until(lambda d: predicate(d), message=what)


def problem_shown(browser) -> str | None:
    """The page's problem line when it shows one."""
    return browser.execute_script("const p = document.getElementById('problem'); "
                                  "return p && !p.hidden ? p.textContent : null")


def css(browser, selector):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, selector)


def sign_in(browser, server, key, next_path="/console/alerts"):
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{server.base}/console/sign-in?next={next_path}")
    field = wait(browser, lambda d: css(d, "#key")[0] if css(d, "#key") else None, "sign-in form")
    field.clear()
    field.send_keys(key, Keys.ENTER)  # keyboard only


def loaded(browser):
    return wait(browser, lambda d: d.execute_script("return document.body.dataset.loaded === 'true'"), "page loaded")


def screenshot(browser, name: str, full_page: bool = True):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = browser.get_window_size()
    browser.execute_script("window.scrollTo(0, 0)")
    if full_page:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(size["width"], max(height, 400))
    browser.save_screenshot(str(Path(SHOTS) / f"{name}.png"))
    browser.set_window_size(size["width"], size["height"])


def rows(browser) -> dict[int, str]:
    """The alert rows shown, in order: alert id -> the row's text (read at once: the list redraws on changes)."""
    return {int(k): text for k, text in browser.execute_script(
        "return [...document.querySelectorAll('#alerts tbody tr[data-alert]')].map(r => [r.dataset.alert, r.innerText])")}


def js_exponential(x: float) -> str:
    """x as the console writes it: JavaScript's toExponential(1)."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exponent):+d}"


def visible_alerts(server, key):
    return server.api("GET", "/v1/alerts", key, params={"limit": 1000}).json()["items"]


def test_sign_in_refuses_a_wrong_key_and_lists_the_keys_alerts_most_urgent_first(console, browser):
    server, _, keys, _ = console
    sign_in(browser, server, "ssa_000000000000_wrong")
    problem = wait(browser, problem_shown, "problem shown")
    assert "not accepted" in problem and "key" in problem.lower()
    assert browser.execute_script("return sessionStorage.getItem('ssa.key')") is None
    screenshot(browser, "sign-in", full_page=False)

    sign_in(browser, server, keys["dssc"])
    wait(browser, lambda d: d.current_url.endswith("/console/alerts"), "redirect to alerts")
    loaded(browser)
    expected = visible_alerts(server, keys["dssc"])
    shown = rows(browser)
    assert sorted(shown) == sorted(a["id"] for a in expected)
    assert {a["party"] for a in expected} == {"dssc"}
    # most urgent first: the emergency of BRIK-II, its level written out (not colour alone)
    first = next(iter(shown.values()))
    assert "EMERGENCY" in first.upper() and "BRIK-II (48876)" in first
    assert "Dutch interest: military" in first
    # the key lives in sessionStorage only
    assert browser.execute_script("return localStorage.length") == 0
    assert browser.get_cookies() == []
    assert "agency" in css(browser, "#who")[0].text
    # keyboard: the first Tab reaches the skip link, which moves focus to the content
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.execute_script("return document.activeElement.textContent") == "Skip to content"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.execute_script("return document.activeElement.id") == "main"


def test_filters_narrow_the_list_as_the_api_data_says(console, browser):
    from selenium.webdriver.support.ui import Select

    server, _, keys, _ = console
    sign_in(browser, server, keys["analyst"])
    loaded(browser)
    everything = visible_alerts(server, keys["analyst"])
    assert len(rows(browser)) == len(everything) == 13
    form = css(browser, "#filters")[0]

    def choose(name, value):
        Select(form.find_element("name", name)).select_by_value(value)
        return sorted(rows(browser))

    assert choose("level", "emergency") == sorted(a["id"] for a in everything if a["level"] == "emergency")
    assert len(choose("level", "emergency")) == 5  # one event, five parties
    assert choose("party", "dssc") == sorted(a["id"] for a in everything
                                             if a["level"] == "emergency" and a["party"] == "dssc")
    css(browser, "#filters button[type=reset]")[0].click()
    wait(browser, lambda d: len(rows(d)) == len(everything), "filters cleared")

    def interests(a):
        return {i["category"] for i in a["conjunction"]["routing"]["interests"] if i["category"]}

    assert choose("interest", "civil") == sorted(a["id"] for a in everything if "civil" in interests(a))
    assert choose("interest", "military") == sorted(a["id"] for a in everything if "military" in interests(a))
    choose("interest", "")
    # time to event, by the browser's clock
    now = datetime.fromisoformat(browser.execute_script("return new Date().toISOString()").replace("Z", "+00:00"))

    def hours_to(a):
        return (datetime.fromisoformat(a["conjunction"]["TCA"]).replace(tzinfo=UTC) - now).total_seconds() / 3600

    within_24 = choose("within", "24")
    assert within_24 == sorted(a["id"] for a in everything if 0 <= hours_to(a) <= 24)
    past = choose("within", "past")
    assert past == sorted(a["id"] for a in everything if hours_to(a) < 0) and past and within_24
    choose("within", "")
    assert choose("kind", "fragmentation") == []
    assert "No alert matches" in css(browser, "#alerts tbody")[0].text
    choose("kind", "conjunction")
    # newest first orders by creation; every row still there
    assert len(choose("order", "newest")) == len(everything)


def test_a_conjunction_shows_objects_routing_history_and_its_plots(console, browser):
    server, _, keys, _ = console
    sign_in(browser, server, keys["dssc"])
    loaded(browser)
    emergency = next(a for a in visible_alerts(server, keys["dssc"]) if a["level"] == "emergency")
    from selenium.webdriver.common.keys import Keys

    css(browser, f'#alerts tr[data-alert="{emergency["id"]}"] a')[0].send_keys(Keys.ENTER)  # keyboard
    wait(browser, lambda d: d.current_url.endswith(f"/console/alerts/{emergency['id']}"), "alert page")
    loaded(browser)
    wait(browser, lambda d: css(d, "#range-plot svg path.line"), "range plot")
    event = server.api("GET", f"/v1/conjunctions/{emergency['conjunction']['id']}", keys["dssc"]).json()

    objects = css(browser, "#objects")[0].text
    assert "BRIK-II" in objects and "NETH" in objects and "PAY" in objects and "military" in objects
    assert str(STARLINK_59580) in objects and "STARLINK" in objects
    routing = css(browser, "#routing")[0]
    lead = [tr.text for tr in routing.find_elements("css selector", "tbody tr") if tr.text.startswith("lead")]
    assert len(lead) == 1 and "(dssc)" in lead[0] and event["routing"]["actions"]["dssc"] in lead[0]
    assert event["routing"]["rule"] in routing.text
    quotes = [q.text for q in routing.find_elements("css selector", "blockquote")]
    assert quotes == [c["quote"] for c in event["routing"]["cite"]] and quotes
    # geometry: range curve through the miss distance at TCA, encounter plane with ellipse, circle and miss vector
    geometry = css(browser, "#geometry")[0]
    assert f"Pc\n{js_exponential(event['COLLISION_PROBABILITY'])} (FOSTER-1992" in geometry.text
    assert f"Max Pc\n{js_exponential(event['max_probability'])}" in geometry.text
    assert f"Miss distance\n{event['MISS_DISTANCE']:,.0f} m" in geometry.text and "Hard-body radius" in geometry.text
    path = css(browser, "#range-plot path.line")[0].get_attribute("d")
    assert path.startswith("M") and path.count("L") == 400  # every sample drawn
    plane = css(browser, "#plane-plot svg")[0]
    assert len(plane.find_elements("css selector", "ellipse")) == 2
    assert plane.find_elements("css selector", "circle.hbr") and plane.find_elements("css selector", "line.miss")
    assert "Encounter plane" in plane.find_element("css selector", "title").get_attribute("textContent")
    # history: one row per screening of the event (three catalogue versions), plotted
    history_rows = css(browser, "#history tbody tr")
    assert len(history_rows) == len(event["history"]) == 3
    for row, entry in zip(history_rows, event["history"]):
        assert f"{entry['MISS_DISTANCE']:,.0f} m" in row.text and js_exponential(entry["COLLISION_PROBABILITY"]) in row.text
    assert [len(fig.find_elements("css selector", "rect.mark")) for fig in css(browser, "#history figure")] == [3, 3]
    # downloads go through the API with the key (a link cannot send it)
    for button in css(browser, "#downloads button"):
        button.click()
        wait(browser, lambda d, b=button: b.get_attribute("data-done") == "true", "download fetched")
    screenshot(browser, "alert-detail")


def test_acknowledge_shows_who_and_when(console, browser):
    server, _, keys, _ = console
    sign_in(browser, server, keys["dssc"])
    loaded(browser)
    target = next(a for a in visible_alerts(server, keys["dssc"]) if not a["acknowledged_at"])
    button = css(browser, f'button.ack[data-alert="{target["id"]}"]')[0]
    button.click()
    row = wait(browser, lambda d: "by " in rows(d).get(target["id"], "") and rows(d)[target["id"]], "acknowledged row")
    after = next(a for a in visible_alerts(server, keys["dssc"]) if a["id"] == target["id"])
    key_id = server.api("GET", "/v1/me", keys["dssc"]).json()["key_id"]
    assert after["acknowledged_by"] == key_id and f"by {key_id} at" in row
    assert after["acknowledged_at"][:19].replace("T", " ") in row
    # an analyst may not acknowledge: no button for it
    sign_in(browser, server, keys["analyst"])
    loaded(browser)
    assert css(browser, "button.ack") == [] and rows(browser)


def test_an_agency_key_is_refused_what_it_may_not_see(console, browser):
    server, _, keys, _ = console
    delfi = next(a for a in visible_alerts(server, keys["admin"])
                 if a["conjunction"]["OBJECT1"]["NORAD_CAT_ID"] == DELFI_N3XT)
    assert server.api("GET", f"/v1/alerts/{delfi['id']}", keys["dssc"]).status_code == 403
    sign_in(browser, server, keys["dssc"], next_path=f"/console/alerts/{delfi['id']}")
    wait(browser, lambda d: "/console/alerts/" in d.current_url, "alert page")
    problem = wait(browser, problem_shown, "refusal shown")
    assert problem.startswith("Refused:") and "not for this key" in problem
    assert "DELFI" not in browser.find_element("tag name", "main").text
    assert not css(browser, "#geometry")[0].is_displayed()
    browser.get(f"{server.base}/console/alerts")
    loaded(browser)
    assert "DELFI" not in css(browser, "#alerts")[0].text


def test_a_new_alert_appears_without_reload(console, browser):
    server, _, keys, _ = console
    sign_in(browser, server, keys["dssc"])
    loaded(browser)
    before = len(rows(browser))
    browser.execute_script("window.__sameDocument = true")
    screenshot(browser, "alerts")
    report = json.loads((Path(__file__).parent / "data" / "alerts" / "11-asat-test.json").read_text())
    report["tca"] = datetime.now(UTC).isoformat(timespec="seconds")  # routing judges it now: current
    report.pop("id")
    made = server.api("POST", "/v1/incidents", keys["admin"], json=report)
    assert made.status_code == 201, made.text
    mine = [a for a in made.json()["alerts"] if a["party"] == "dssc"]
    assert mine, made.json()["incident"]["routing"]
    row = wait(browser, lambda d: rows(d).get(mine[0]["id"]), "new alert row")
    assert "NEW" in row and "anti-satellite" in row and "RESURS-DK 1" in row
    assert browser.execute_script("return window.__sameDocument === true")  # no reload
    assert len(rows(browser)) == before + 1
    assert "1 new since this page opened" in css(browser, "#live")[0].text
    # the incident's own page: its objects and routing as the API routed it
    css(browser, f'#alerts tr[data-alert="{mine[0]["id"]}"] a')[0].click()
    loaded(browser)
    routing = made.json()["incident"]["routing"]
    objects = css(browser, "#objects")[0].text
    assert "RESURS-DK 1" in objects and f"fragments = {report['evidence']['fragments']}" in objects
    shown = css(browser, "#routing")[0].text
    assert routing["rule"] in shown and all(c["quote"] in shown for c in routing["cite"])
    role_rows = [tr.text for tr in css(browser, "#routing tbody tr")]
    assert any(text.startswith(mine[0]["role"]) and "(dssc)" in text for text in role_rows)
    assert not css(browser, "#geometry")[0].is_displayed() and css(browser, "#downloads button")


def test_jobs_and_catalogue_versions(console, browser):
    server, store, keys, _ = console
    # a second upload with one element set that cannot be read: its version counts the rejection
    good = store.catalog_for_version(1, norad_ids=(BRIK_II,))
    from sgp4 import exporter

    line1, line2 = exporter.export_tle(good.satrecs()[0])
    broken = line1[:-1] + str((int(line1[-1]) + 1) % 10)  # wrong checksum
    text = f"BRIK-II\n{line1}\n{line2}\nBROKEN\n{broken}\n{line2}\n"
    upload = server.api("POST", "/v1/catalog", keys["admin"], files={"file": ("two.tle", text)})
    assert upload.status_code in (200, 201), upload.text
    sign_in(browser, server, keys["dssc"], next_path="/console/jobs")
    loaded(browser)
    jobs = server.api("GET", "/v1/jobs", keys["dssc"]).json()
    shown = css(browser, "#jobs tbody tr")
    assert len(shown) == len(jobs)
    done = next(r for r in shown if r.text.startswith(f"{jobs[-1]['id']} "))
    assert "done" in done.text and f"{jobs[-1]['n_objects']}" in done.text and " s" in done.text
    versions = css(browser, "#versions tbody tr")
    assert upload.json()["n_rejected"] == 1 and "1 rejected" in versions[0].text  # newest first
    screenshot(browser, "jobs")


def test_wall_screen_and_print_layouts(console):
    """A wall screen gets larger type; print hides the controls and keeps the tables."""
    server, _, keys, clock = console
    wall = chrome(2560, 1440, clock=clock)
    try:
        sign_in(wall, server, keys["dssc"])
        loaded(wall)
        size = wall.execute_script("return getComputedStyle(document.documentElement).fontSize")
        assert float(size.rstrip("px")) >= 20
        from selenium.webdriver.support.ui import Select

        Select(css(wall, "#filters select[name=kind]")[0]).select_by_value("conjunction")  # screenings only
        screenshot(wall, "alerts-wall-screen", full_page=False)
        wall.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert not css(wall, "#filters")[0].is_displayed() and css(wall, "#alerts")[0].is_displayed()
        assert not any(b.is_displayed() for b in css(wall, "button"))
    finally:
        wall.quit()


@pytest.fixture(scope="module")
def reentry_console(tmp_path_factory):
    """A store where the worker's re-entry watch found NEOWISE coming down (as in
    tests/test_serve_findings.py; its operator acme leads), `ssa serve` on it, acme's key."""
    from findings_helpers import NEOWISE, catalogue_rows
    from serve_helpers import make_settings
    from ssa.serve.pipeline import ingest_text
    from ssa.serve.store import Store
    from ssa.serve.worker import Worker

    folder = tmp_path_factory.mktemp("console-reentry")
    url = f"sqlite:///{folder / 'ssa.sqlite3'}"
    store = Store(url)
    store.migrate()
    key = store.create_key("operator", party="acme", objects=[NEOWISE], label="acme duty officer")
    ingest_text(store, catalogue_rows(), "celestrak_on_orbit_2024-11-01.csv (NEOWISE, LEMUR, ISS)")
    assert Worker(store, make_settings(folder, url, detect_reentry_horizon_days=30.0)).run_once()
    server = ServeProcess(folder, url)
    yield server, store, key
    server.stop()
    store.engine.dispose()


@pytest.mark.slow  # the re-entry watch's numba kernels compile on a cold cache
def test_a_reentry_findings_alert_shows_the_finding_routing_and_ground_track(reentry_console):
    from selenium.webdriver.common.keys import Keys

    server, _, key = reentry_console
    alert = next(a for a in visible_alerts(server, key) if a["finding"] and a["finding"]["kind"] == "reentry")
    finding = server.api("GET", f"/v1/findings/{alert['finding']['id']}", key).json()
    predicted = datetime.fromisoformat(finding["event_time"].replace("Z", "")).replace(tzinfo=UTC)
    session = chrome(clock=predicted - timedelta(hours=30, minutes=30))
    try:
        sign_in(session, server, key)
        loaded(session)
        row = wait(session, lambda d: rows(d).get(alert["id"]), "the finding's alert listed")
        assert "re-entry" in row.lower() and f"reentry finding {finding['id']}" in row
        assert f"NEOWISE ({finding['norad_id_1']})" in row and "in 1 d 6 h" in row  # time to the predicted re-entry
        css(session, f'#alerts tr[data-alert="{alert["id"]}"] a')[0].send_keys(Keys.ENTER)
        wait(session, lambda d: d.current_url.endswith(f"/console/alerts/{alert['id']}"), "alert page")
        loaded(session)
        objects = css(session, "#objects")[0].text
        assert "NEOWISE" in objects and finding["identity"] in objects and "re-entering" in objects
        routing = css(session, "#routing")[0]
        quotes = [q.text for q in routing.find_elements("css selector", "blockquote")]
        assert quotes == [c["quote"] for c in finding["routing"]["cite"]] and quotes
        assert finding["routing"]["rule"] in routing.text
        # the ground track on the world map, the Netherlands and the Caribbean islands, with the territory outlines
        plot = server.api("GET", f"/v1/findings/{finding['id']}/plot", key).json()
        maps = wait(session, lambda d: css(d, "#geometry figure svg.map"), "ground-track maps")
        assert len(maps) == 3
        world = maps[0]
        assert len(world.find_elements("css selector", "path.territory")) == len(plot["territory"])
        track = world.find_element("css selector", "path.track").get_attribute("d")
        drawn = sum(1 for x in plot["track"]["lon_deg"] if x is not None)
        assert track.startswith("M") and track.count("L") + track.count("M") == drawn  # every point drawn
        assert "ground track" in css(session, "#geometry")[0].text.lower()
        screenshot(session, "finding-reentry")
    finally:
        session.quit()


@pytest.fixture(scope="module")
def overflight_console(tmp_path_factory):
    """A store where the worker computed the ISS's passes (as a radar watcher) over ESTEC
    Noordwijk, a site only defensie reads (as in tests/test_serve_findings.py); `ssa serve` on it."""
    from findings_helpers import ISS_AS_RADAR, SITES, catalogue_rows
    from serve_helpers import make_settings
    from ssa.serve.pipeline import ingest_text
    from ssa.serve.store import Store
    from ssa.serve.worker import Worker

    folder = tmp_path_factory.mktemp("console-overflights")
    (folder / "sites.toml").write_text(SITES)
    (folder / "watchers.toml").write_text(ISS_AS_RADAR)
    url = f"sqlite:///{folder / 'ssa.sqlite3'}"
    store = Store(url)
    store.migrate()
    keys = {"defensie": store.create_key("agency", party="defensie"), "nso": store.create_key("agency", party="nso")}
    files = dict(overflight_sites_file=folder / "sites.toml", overflight_watchers_file=folder / "watchers.toml")
    ingest_text(store, catalogue_rows(), "celestrak_on_orbit_2024-11-01.csv (NEOWISE, LEMUR, ISS)")
    assert Worker(store, make_settings(folder, url, **files)).run_once()
    server = ServeProcess(folder, url, SSA_OVERFLIGHT_SITES_FILE=str(files["overflight_sites_file"]),
                           SSA_OVERFLIGHT_WATCHERS_FILE=str(files["overflight_watchers_file"]))
    yield server, store, keys
    server.stop()
    store.engine.dispose()


@pytest.mark.slow  # the overflight kernels compile on a cold cache
def test_overflight_timeline_only_for_the_sites_readers(overflight_console, browser):
    server, _, keys = overflight_console
    passes = server.api("GET", "/v1/overflights", keys["defensie"], params={"site": "ESTEC Noordwijk"}).json()["items"]
    assert passes
    sign_in(browser, server, keys["defensie"], "/console/overflights")
    loaded(browser)
    card = css(browser, 'section[data-site="ESTEC Noordwijk"]')[0]
    bars = card.find_elements("css selector", "svg.timeline rect.pass")
    assert [b.get_attribute("data-culmination") for b in bars] == [p["culmination"] for p in passes]
    assert len(card.find_elements("css selector", "svg.timeline rect.usable")) == sum(p["usable"] for p in passes)
    assert len(card.find_elements("css selector", "tbody tr")) == len(passes) and "ISS" in card.text
    screenshot(browser, "overflights")
    sign_in(browser, server, keys["nso"], "/console/overflights")
    loaded(browser)
    assert "reads no site" in css(browser, "#sites")[0].text and "ESTEC" not in browser.page_source

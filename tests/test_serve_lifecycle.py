"""Event lifecycle over three successive real catalogues, through the HTTP API.

Each upload is a new catalogue version with its own screening job; the job is
run with the python-sgp4 reference screening (ssa.screen.reference)
and committed through the store, as the worker does. Expected transitions come
from comparing the reference results of successive versions, not from stored
numbers.
"""
import pytest

from paths import needs_shared
from serve_helpers import ISS, ISS_HISTORY, STARLINK_31347, THRESHOLD_KM, run_job_with_reference, scenario_uploads

pytestmark = needs_shared(ISS_HISTORY, what="Space-Track ISS element-set history (redistribution restricted)")


def all_conjunctions(client, key, **params):
    items, cursor = [], None
    while True:
        query = dict(params, limit=7, **({"cursor": cursor} if cursor else {}))
        page = client.get("/v1/conjunctions", params=query, headers={"X-API-Key": key}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def key_of(item):
    return item["OBJECT1"]["NORAD_CAT_ID"], item["OBJECT2"]["NORAD_CAT_ID"]


def test_event_lifecycle_over_three_catalogues(service):
    client, store, admin = service
    h = {"X-API-Key": admin}
    uploads = scenario_uploads()
    runs = []
    snapshots = []
    for name, text in zip(("a.csv", "b.tle", "c.tle"), uploads):
        response = client.post("/v1/catalog", files={"file": (name, text)}, headers=h)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["rejected"] == [] and body["n_new"] >= 1
        job = client.get(f"/v1/jobs/{body['job_id']}", headers=h).json()
        assert job["status"] == "queued"
        runs.append(run_job_with_reference(store))
        job = client.get(f"/v1/jobs/{body['job_id']}", headers=h).json()
        assert job["status"] == "done" and job["progress"] == 1.0 and job["n_conjunctions"] == len(runs[-1][1])
        snapshots.append({item["id"]: item for item in all_conjunctions(client, admin)})

    # version A: one open event per reference row, values as screened
    (_, rows_a, start_a, _), (_, rows_b, start_b, sum_b), (_, rows_c, start_c, sum_c) = runs
    a = snapshots[0]
    assert len(a) == len(rows_a) and all(ev["status"] == "open" for ev in a.values())
    by_pair_tca = {(key_of(ev), ev["TCA"][:19]): ev for ev in a.values()}
    for row in rows_a:
        ev = by_pair_tca[((int(row["norad_id_1"]), int(row["norad_id_2"])), str(row["tca"])[:19])]
        assert ev["MISS_DISTANCE"] == pytest.approx(row["range_km"] * 1000, abs=1e-3)
        assert ev["persistent"] == bool(row["persistent"])

    # version B: ISS events keep their ids with TCA/range updated; ISS/STARLINK-31347 falls out of threshold
    b = snapshots[1]
    iss_a = {key_of(ev): ev for ev in a.values() if ISS in key_of(ev) and not ev["persistent"]}
    row_b = {(int(r["norad_id_1"]), int(r["norad_id_2"])): r for r in rows_b}
    updated = [ev_id for ev_id, ev in a.items() if ev_id in b and b[ev_id]["change_seq"] != ev["change_seq"]]
    assert sum_b.updated >= 1 and sum_b.closed_out_of_threshold == 1 and sum_b.closed_tca_passed >= 1
    for pair, ev in iss_a.items():
        later = b[ev["id"]]
        if pair == (ISS, STARLINK_31347):
            assert pair not in row_b and later["status"] == "closed" and later["close_reason"] == "OUT_OF_THRESHOLD"
            assert later["MISS_DISTANCE"] == ev["MISS_DISTANCE"]  # last screened values are kept
        elif ev["TCA"] < start_b.isoformat():
            assert later["status"] == "closed" and later["close_reason"] == "TCA_PASSED"
        else:
            row = row_b[pair]
            assert later["status"] == "open" and later["MISS_DISTANCE"] == pytest.approx(row["range_km"] * 1000, abs=1e-3)
            assert later["MISS_DISTANCE"] != ev["MISS_DISTANCE"] and later["TCA"] != ev["TCA"]
            assert later["id"] in updated
    # pairs without the ISS kept their element sets: unchanged, same change_seq
    for ev_id, ev in a.items():
        if ISS not in key_of(ev) and ev["TCA"] >= start_b.isoformat():
            assert b[ev_id] == ev
    new_in_b = set(b) - set(a)
    assert len(new_in_b) == sum_b.created >= 1
    assert all(b[i]["status"] == "open" and b[i]["TCA"] >= start_b.isoformat() for i in new_in_b)

    # version C: every event with TCA before C's window start is closed; open ones match C's rows one to one
    c = snapshots[2]
    open_c = [ev for ev in c.values() if ev["status"] == "open"]
    assert len(open_c) == len(rows_c)
    assert all(ev["TCA"] >= start_c.isoformat() for ev in open_c)
    for ev in c.values():
        if ev["TCA"] < start_c.isoformat():
            assert ev["status"] == "closed"
    assert sum_c.created >= 1 and sum_c.closed_tca_passed >= 1

    # history: one entry per change, in order; an event carried through all three versions
    carried = [ev_id for ev_id in a if ev_id in b and b[ev_id]["change_seq"] != a[ev_id]["change_seq"]]
    assert carried
    detail = client.get(f"/v1/conjunctions/{carried[0]}", headers=h).json()
    kinds = [entry["kind"] for entry in detail["history"]]
    assert kinds[0] == "created" and kinds[1] == "updated"
    assert detail["history"][0]["MISS_DISTANCE"] == a[carried[0]]["MISS_DISTANCE"]
    assert detail["history"][1]["MISS_DISTANCE"] == b[carried[0]]["MISS_DISTANCE"]
    assert [e["job_id"] for e in detail["history"]] == sorted(e["job_id"] for e in detail["history"])

    # no two open events of one pair within a quarter period of each other (matching did not duplicate)
    seen = {}
    for ev in open_c:
        seen.setdefault(key_of(ev), []).append(ev["TCA"])
    for tcas in seen.values():
        assert len(tcas) == len(set(tcas))
    assert THRESHOLD_KM * 1000 >= max(ev["MISS_DISTANCE"] for ev in open_c)

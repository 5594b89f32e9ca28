"""Policy profiles: every value cited, inheritance, effective dates, pinning, chains (no database)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from domain.enums import DeptKind, Level
from policies import (
    ApprovalKind,
    Basis,
    Catalog,
    EffectiveProfile,
    PolicyError,
    RelativeLevel,
    UnknownProfile,
    load_catalog,
)
from policies.loader import DATA_DIR, build_catalog
from policies.schema import iter_cited, leaf_types

TODAY = date(2025, 6, 1)
EXPECTED_KEYS = {"national", "inner_mongolia", "ordos", "ningxia", "bingtuan", "jiulongpo"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _tmp_catalog(tmp_path: Path, **files: str) -> Catalog:
    """A data dir holding the real national profile plus `files` (stem -> TOML text)."""
    shutil.copy(DATA_DIR / "national.toml", tmp_path / "national.toml")
    for stem, text in files.items():
        (tmp_path / f"{stem}.toml").write_text(text, encoding="utf-8")
    return build_catalog(tmp_path)


def _meta(key: str, parent: str | None = "national", effective_from: str = "2024-01-01") -> str:
    parent_line = f'parent = "{parent}"\n' if parent else ""
    return (
        f'[meta]\nkey = "{key}"\nname = "测试"\nshort_name = "T"\ndocument_title = "测试文件"\n'
        f'effective_from = {effective_from}\njurisdiction = "测试地区"\n{parent_line}\n'
    )


# --- every value is cited -------------------------------------------------------------------------


def test_all_profiles_present_with_metadata(catalog: Catalog) -> None:
    ordered = catalog.keys()
    assert set(ordered) == EXPECTED_KEYS
    assert ordered[0] == "national" and ordered.index("inner_mongolia") < ordered.index("ordos")
    for key in ordered:
        meta = catalog.meta(key)
        assert meta.name and meta.document_title and meta.jurisdiction and meta.short_name
    assert {catalog.meta(k).short_name for k in EXPECTED_KEYS - {"national"}} == {
        "IM",
        "OR",
        "NX",
        "BT",
        "JLP",
    }
    assert catalog.meta("ordos").parent == "inner_mongolia"
    assert catalog.meta("jiulongpo").parent == "national"


def test_every_value_in_every_file_has_article_and_basis(catalog: Catalog) -> None:
    checked, leaves = 0, 0
    for key, profile_file in catalog.files.items():
        for path, versions in profile_file.leaves.items():
            for version in versions:
                leaves += 1
                for where, cited in iter_cited(version, f"{key}:{path}"):
                    assert cited.article.strip(), where
                    assert cited.basis in set(Basis), where
                    if cited.basis is Basis.LOCAL_CONFIG:
                        assert cited.note and cited.note.strip(), f"{where}: local_config needs a note"
                    checked += 1
    assert leaves > 200 and checked > leaves  # chains add their steps and step deadlines


def test_regional_values_cite_their_own_text(catalog: Catalog) -> None:
    """A 'regulation' value of a regional profile cites that profile's text (OR may cite IM, its parent)."""
    for key in EXPECTED_KEYS - {"national"}:
        short = catalog.meta(key).short_name
        for path, versions in catalog.files[key].leaves.items():
            for v in versions:
                if v.basis is Basis.REGULATION:
                    assert v.article.startswith(short), f"{key}:{path} cites {v.article}"


@pytest.mark.parametrize(
    ("leaf", "message_part"),
    [
        ('value = 200\nbasis = "regulation"\n', "article"),
        ('value = 200\narticle = "   "\nbasis = "regulation"\n', "article"),
        ('value = 200\narticle = "X art. 1"\nbasis = "folklore"\n', "basis"),
        ('value = 200\narticle = "X art. 1"\nbasis = "local_config"\n', "note"),
        ('value = "many"\narticle = "X art. 1"\nbasis = "regulation"\n', "value"),
    ],
)
def test_a_value_without_proper_source_fails_to_load(tmp_path: Path, leaf: str, message_part: str) -> None:
    text = _meta("bad") + "[staffing.households_per_worker]\n" + leaf
    with pytest.raises(PolicyError) as info:
        _tmp_catalog(tmp_path, bad=text)
    message = info.value.message
    assert "bad.toml" in message and "staffing.households_per_worker" in message and message_part in message


def test_a_step_deadline_without_article_fails_to_load(tmp_path: Path) -> None:
    text = _meta("bad") + (
        '[secondment.approval]\nlabel = "x"\narticle = "X art. 1"\nbasis = "regulation"\n'
        '[[secondment.approval.steps]]\nkey = "s"\nlabel = "s"\nkind = "review"\nlevel = "parent"\n'
        'departments = ["social_work"]\narticle = "X art. 1"\nbasis = "regulation"\n'
        'due_working_days = { value = 5, basis = "local_config", note = "n" }\n'
    )
    with pytest.raises(PolicyError) as info:
        _tmp_catalog(tmp_path, bad=text)
    assert "secondment.approval" in info.value.message and "due_working_days" in info.value.message


def _subdir(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def test_unknown_key_unknown_parent_and_cycle_fail(tmp_path: Path) -> None:
    typo = _meta("typo") + '[staffing.houshold_per_worker]\nvalue = 1\narticle = "X"\nbasis = "regulation"\n'
    with pytest.raises(PolicyError, match=r"typo\.toml.*staffing\.houshold_per_worker"):
        _tmp_catalog(_subdir(tmp_path, "a"), typo=typo)
    with pytest.raises(PolicyError, match=r"orphan\.toml.*nowhere"):
        _tmp_catalog(_subdir(tmp_path, "b"), orphan=_meta("orphan", parent="nowhere"))
    with pytest.raises(PolicyError, match="成环"):
        _tmp_catalog(_subdir(tmp_path, "c"), one=_meta("one", parent="two"), two=_meta("two", parent="one"))
    stamped = _meta("x") + (
        '[staffing.households_per_worker]\nvalue = 1\narticle = "X"\nbasis = "regulation"\nsource_key = "y"\n'
    )
    with pytest.raises(PolicyError, match="source_key"):
        _tmp_catalog(_subdir(tmp_path, "d"), x=stamped)
    with pytest.raises(PolicyError, match="须与文件名一致"):
        _tmp_catalog(_subdir(tmp_path, "e"), misnamed=_meta("other"))


# --- inheritance and dates ------------------------------------------------------------------------


def test_ordos_overrides_im_which_overrides_national(catalog: Catalog) -> None:
    national = catalog.resolve(["national"], TODAY)
    im = catalog.resolve(["inner_mongolia"], TODAY)
    ordos = catalog.resolve(["inner_mongolia", "ordos"], TODAY)
    assert catalog.chain_for("ordos") == ["national", "inner_mongolia", "ordos"]
    assert ordos.chain == ["national", "inner_mongolia", "ordos"]

    # national -> IM: same number, IM's own article
    assert national.staffing.workers_per_10k_urban is not None
    assert national.staffing.workers_per_10k_urban.article == "中办发〔2024〕33号"
    assert im.staffing.workers_per_10k_urban is not None
    assert (im.staffing.workers_per_10k_urban.value, im.staffing.workers_per_10k_urban.article) == (
        18,
        "IM art. 5",
    )

    # OR overrides IM/national where it speaks...
    hpw = ordos.staffing.households_per_worker
    assert hpw is not None and (hpw.value, hpw.article, hpw.source_key) == (200, "OR art. 3", "ordos")
    assert im.staffing.households_per_worker is None
    assert ordos.probation.months is not None and ordos.probation.months.value == 3
    assert ordos.appraisal.grades.source_key == "ordos"
    assert im.training.onboarding_hours_min is not None and im.training.onboarding_hours_min.value == 24
    assert ordos.training.onboarding_hours_min is not None and ordos.training.onboarding_hours_min.value == 40
    # ...and what OR does not say comes from IM, then from national
    assert ordos.staffing.workers_per_10k_urban is not None
    assert ordos.staffing.workers_per_10k_urban.source_key == "inner_mongolia"
    assert ordos.recruitment.plan_approval.source_key == "inner_mongolia"
    assert ordos.recruitment.conditions.disqualifications is not None
    assert ordos.recruitment.conditions.disqualifications.article == "IM art. 11"
    assert ordos.probation.caps.source_key == "national"
    assert ordos.exit.resignation_notice.value.days == 30


def test_leaf_ancestors_may_be_left_out_but_order_must_hold(catalog: Catalog) -> None:
    assert catalog.resolve(["ordos"], TODAY) == catalog.resolve(["inner_mongolia", "ordos"], TODAY)
    assert catalog.resolve(["national", "inner_mongolia", "ordos"], TODAY).chain[-1] == "ordos"
    assert catalog.resolve([], TODAY).chain == ["national"]
    with pytest.raises(PolicyError, match="ningxia"):
        catalog.resolve(["ningxia", "ordos"], TODAY)
    with pytest.raises(PolicyError):
        catalog.resolve(["ordos", "inner_mongolia"], TODAY)
    with pytest.raises(UnknownProfile):
        catalog.resolve(["atlantis"], TODAY)


def test_values_not_yet_in_force_fall_back_to_parent(catalog: Catalog) -> None:
    early = catalog.resolve(["inner_mongolia", "ordos"], date(2022, 1, 1))
    # IM (2024-08-21) not yet in force: the plan chain is national's, OR's own values apply
    assert early.recruitment.plan_approval.source_key == "national"
    assert [s.key for s in early.recruitment.plan_approval.steps] == ["hr_bureau_review"]
    assert early.staffing.households_per_worker is not None
    # the central 18-per-10,000 (2024-03-28) is not in force either; retirement reform from 2025
    assert early.staffing.workers_per_10k_urban is None
    assert early.exit.retirement is None
    assert catalog.resolve(["national"], date(2024, 3, 28)).staffing.workers_per_10k_urban is not None
    assert catalog.resolve(["national"], date(2025, 1, 1)).exit.retirement is not None
    # a profile's own values wait for its date: Jiulongpo from 2023-12-01
    assert catalog.resolve(["jiulongpo"], date(2023, 11, 30)).secondment.max_months.value == 3
    assert catalog.resolve(["jiulongpo"], date(2023, 12, 1)).secondment.max_months.value == 6


def test_superseded_ordos_rules_give_way_to_im(catalog: Catalog) -> None:
    before = catalog.resolve(["ordos"], date(2024, 8, 20))
    after = catalog.resolve(["ordos"], date(2024, 8, 21))
    assert before.secondment.approval.source_key == "ordos"
    assert before.secondment.approval.steps[0].kind is ApprovalKind.COUNTERSIGN
    assert after.secondment.approval.source_key == "inner_mongolia"
    assert after.secondment.approval.steps[0].departments == [DeptKind.SOCIAL_WORK]
    assert after.secondment.permitted_borrower_levels is not None
    assert after.secondment.permitted_borrower_levels.value == [Level.STREET]
    # OR's additional limit stays
    assert after.secondment.max_concurrent_per_community is not None
    assert after.secondment.max_concurrent_per_community.value == 2


def test_dated_versions_of_one_value(tmp_path: Path) -> None:
    text = _meta("versioned", effective_from="2020-01-01") + (
        '[[staffing.households_per_worker]]\nvalue = 300\narticle = "V art. 1"\nbasis = "regulation"\n'
        '[[staffing.households_per_worker]]\nvalue = 250\narticle = "V art. 1"\nbasis = "regulation"\n'
        "effective_from = 2023-07-01\n"
    )
    catalog = _tmp_catalog(tmp_path, versioned=text)
    hpw = catalog.resolve(["versioned"], date(2023, 6, 30)).staffing.households_per_worker
    assert hpw is not None and hpw.value == 300
    hpw = catalog.resolve(["versioned"], date(2023, 7, 1)).staffing.households_per_worker
    assert hpw is not None and (hpw.value, hpw.effective_from) == (250, date(2023, 7, 1))


# --- pinning --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_json_round_trip_is_lossless(catalog: Catalog, key: str) -> None:
    profile = catalog.resolve([key], TODAY)
    stored = json.loads(json.dumps(profile.to_json()))  # as a JSON column gives it back
    restored = EffectiveProfile.from_json(stored)
    assert restored == profile
    assert restored.fingerprint == profile.fingerprint == restored.content_hash()
    assert restored.to_json() == profile.to_json()


def test_fingerprint_stable_and_sensitive(tmp_path: Path, catalog: Catalog) -> None:
    a = catalog.resolve(["ordos"], TODAY)
    b = build_catalog(DATA_DIR).resolve(["ordos"], TODAY)  # a fresh load, no cache
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 64
    assert catalog.resolve(["ordos"], date(2022, 1, 1)).fingerprint != a.fingerprint

    for name in ("national", "inner_mongolia", "ordos"):
        shutil.copy(DATA_DIR / f"{name}.toml", tmp_path / f"{name}.toml")
    path = tmp_path / "ordos.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("value = 200", "value = 150"), encoding="utf-8")
    edited = build_catalog(tmp_path).resolve(["ordos"], TODAY)
    assert edited.staffing.households_per_worker is not None
    assert edited.staffing.households_per_worker.value == 150
    assert edited.fingerprint != a.fingerprint
    # the pinned copy is unaffected by the edit
    assert (
        EffectiveProfile.from_json(a.to_json()).staffing.households_per_worker
        == a.staffing.households_per_worker
    )


def test_tampered_pin_is_refused(catalog: Catalog) -> None:
    data = catalog.resolve(["jiulongpo"], TODAY).to_json()
    data["probation"]["months"]["value"] = 6
    with pytest.raises(PolicyError) as info:
        EffectiveProfile.from_json(data)
    assert info.value.code == "policy_fingerprint_mismatch"
    assert EffectiveProfile.from_json(data, verify=False).probation.months is not None


# --- chains as the texts say ----------------------------------------------------------------------


def test_im_recruitment_plan_chain(catalog: Catalog) -> None:
    rec = catalog.resolve(["inner_mongolia"], TODAY).recruitment
    assert sorted(o.level for o in rec.drafting_organisers()) == [Level.CITY, Level.COUNTY]
    steps = rec.plan_approval.steps_for(Level.COUNTY)
    assert [(s.key, s.kind, s.level, s.departments, s.article) for s in steps] == [
        (
            "city_social_work_review",
            ApprovalKind.REVIEW,
            RelativeLevel.PARENT,
            [DeptKind.SOCIAL_WORK],
            "IM art. 8",
        ),
        (
            "city_organisation_filing",
            ApprovalKind.FILING,
            RelativeLevel.PARENT,
            [DeptKind.ORGANISATION],
            "IM art. 8",
        ),
    ]
    assert [s.target_level(Level.COUNTY) for s in steps] == [Level.CITY, Level.CITY]
    assert all(s.due_working_days.basis is Basis.LOCAL_CONFIG for s in steps)
    assert rec.plan_approval.steps_for(Level.CITY) == []  # a league/city-run plan goes nowhere up


def test_jlp_recruitment_plan_chain(catalog: Catalog) -> None:
    rec = catalog.resolve(["jiulongpo"], TODAY).recruitment
    assert [o.level for o in rec.drafting_organisers()] == [Level.STREET]
    (step,) = rec.plan_approval.steps_for(Level.STREET)
    assert step.kind is ApprovalKind.COUNTERSIGN
    assert step.level is RelativeLevel.PARENT and step.target_level(Level.STREET) is Level.COUNTY
    assert set(step.departments) == {DeptKind.ORGANISATION, DeptKind.CIVIL_AFFAIRS}
    assert step.article == "JLP art. 17"


def test_every_profile_has_a_plan_chain_for_its_drafting_levels(catalog: Catalog) -> None:
    for key in EXPECTED_KEYS:
        rec = catalog.resolve([key], TODAY).recruitment
        assert rec.drafting_organisers(), key
        assert rec.plan_approval.article, key


def test_numbers_that_differ_between_regions(catalog: Catalog) -> None:
    def at(key: str) -> EffectiveProfile:
        return catalog.resolve([key], TODAY)

    assert at("jiulongpo").probation.months_for(36) == 1
    assert at("ordos").probation.months_for(36) == 3
    assert at("inner_mongolia").probation.months_for(36) == 6  # no fixed length: the statutory cap
    assert at("inner_mongolia").probation.months_for(12) == 2
    assert at("inner_mongolia").probation.months_for(None) == 6
    assert at("inner_mongolia").probation.months_for(2) == 0
    assert [at(k).secondment.max_months.value for k in ("inner_mongolia", "ordos", "jiulongpo")] == [3, 3, 6]
    sat = {k: at(k).appraisal.resident_satisfaction_min_percent for k in ("bingtuan", "ordos")}
    assert {k: v.value for k, v in sat.items() if v is not None} == {"bingtuan": 40, "ordos": 50}
    triggers = at("jiulongpo").exit.appraisal_triggers
    assert triggers is not None and [(t.grade, t.consecutive_years) for t in triggers.value] == [
        ("fail", 1),
        ("basic_pass", 2),
    ]
    grades = set(at("national").appraisal.grade_keys())
    for key in EXPECTED_KEYS:
        for t in (at(key).exit.appraisal_triggers or triggers).value:
            assert t.grade in grades
    notice = at("national").recruitment.public_notice.value
    assert (notice.days, notice.unit.value) == (7, "calendar")


def test_fixed_probation_within_the_statutory_cap(catalog: Catalog) -> None:
    for key in EXPECTED_KEYS:
        profile = catalog.resolve([key], TODAY)
        months, term = profile.probation.months, profile.contract.term_years
        if months is not None:
            contract_months = term.value * 12 if term is not None else None
            assert months.value <= profile.probation.cap_for(contract_months), key


def test_retirement_formula_checks_from_national_md(catalog: Catalog) -> None:
    rules = catalog.resolve(["ningxia"], TODAY).exit.retirement
    assert rules is not None
    men = rules.value.scheme("male")
    assert [men.retirement_age_months(1965, m) for m in (1, 4, 5)] == [721, 721, 722]
    assert men.retirement_age_months(1964, 12) == 720
    assert men.retirement_age_months(1974, 5) == 62 * 12 + 5
    assert men.retirement_age_months(1976, 9) == 63 * 12
    assert rules.value.scheme("female_50").retirement_age_months(1990, 1) == 55 * 12


# --- explain --------------------------------------------------------------------------------------


def test_explain_lists_every_value_with_its_source(catalog: Catalog) -> None:
    profile = catalog.resolve(["inner_mongolia", "ordos"], TODAY)
    rows = {r.path: r for r in profile.explain()}
    row = rows["staffing.households_per_worker"]
    assert (row.value, row.article, row.basis, row.source_key) == (200, "OR art. 3", "regulation", "ordos")
    assert row.effective_from == date(2020, 5, 28)
    row = rows["staffing.workers_per_10k_urban"]
    assert (row.article, row.source_key) == ("IM art. 5", "inner_mongolia")
    assert rows["probation.caps"].source_key == "national"
    assert rows["recruitment.plan_approval.steps[1]"].value["kind"] == "filing"
    assert rows["recruitment.plan_approval.steps[0].due_working_days"].basis == "local_config"
    assert all(r.article and r.source_key and r.display for r in rows.values())
    json.dumps([r.model_dump(mode="json") for r in rows.values()], ensure_ascii=False)
    # one row per leaf that is set (chains add rows for steps)
    set_leaves = [p for p in leaf_types() if profile.leaf(p) is not None]
    assert set(set_leaves) <= set(rows)

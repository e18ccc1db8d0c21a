//! Bad scenarios and arguments: each gives exit code 2, a message naming the file,
//! line and key, no panic, and no output folder.

mod common;

use std::path::Path;

use common::{boomtown, stderr};

/// A bad-input case: scenario files to write, the arguments after `run`, and the
/// fragments the error message must contain.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "an early retirement paid by someone who is neither the public nor an employer",
        files: &[(
            "s.toml",
            "extends = \"hegang\"\n\n[policies.internal_retirement]\npaid_by = \"state\"\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `policies.internal_retirement.paid_by`",
            "unknown variant `state`, expected `public` or `employer`",
        ],
    },
    Case {
        name: "who pays, on a policy with no allowance",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[policies.cut]\nkind = \"layoff_wave\"\nstart = \"2015-01\"\nsector = \"services\"\nshare = 0.1\npaid_by = \"employer\"\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 8",
            "key `policies.cut.paid_by`",
            "does not apply to a policy of this kind",
        ],
    },
    Case {
        name: "unknown key, with the closest valid key suggested",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[labour]\nseparation_rat = 0.1\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `labour.separation_rat`",
            "unknown key",
            "did you mean `separation_rate`",
        ],
    },
    Case {
        name: "a sector's own turnover out of range",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[sectors.services]\nseparation_rate = 1.5\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `sectors.services.separation_rate`",
            "expected a share between 0 and 1, found 1.5",
        ],
    },
    Case {
        name: "a sector's exit rate past the statutory age out of range",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[sectors.services]\nelderly_exit_rate = -0.1\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `sectors.services.elderly_exit_rate`",
            "expected a share between 0 and 1, found -0.1",
        ],
    },
    Case {
        name: "a sector's uptake of own-account work out of range",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[sectors.services]\nuptake_rate = 1.5\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `sectors.services.uptake_rate`",
            "expected a share between 0 and 1, found 1.5",
        ],
    },
    Case {
        name: "a share of farm youth who leave out of range",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[migration]\nfarm_youth_out_share = -0.2\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `migration.farm_youth_out_share`",
            "expected a share between 0 and 1, found -0.2",
        ],
    },
    Case {
        name: "a compensated share of the income gaps out of range",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[migration]\ngap_compensation = 1.5\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `migration.gap_compensation`",
            "expected a share between 0 and 1, found 1.5",
        ],
    },
    Case {
        name: "a mortality path whose years go back",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[demography]\nmortality_path = [[2020, 0.9], [2015, 1.0]]\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `demography.mortality_path`",
            "expected years in increasing order, found 2015 after 2020",
        ],
    },
    Case {
        name: "a mortality path that switches death off",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n\n[demography]\nmortality_path = [[2010, 1.0], [2020, 0.0]]\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `demography.mortality_path`",
            "expected a value between 0.01 and 10, found 0",
        ],
    },
    Case {
        name: "unknown top-level key",
        files: &[("s.toml", "extends = \"test-city\"\nsimulaton = 3\n")],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 2",
            "key `simulaton`",
            "did you mean `simulation`",
        ],
    },
    Case {
        name: "wrong type",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population]\nsize = \"big\"\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `population.size`",
            "found string \"big\"",
            "expected a whole number",
        ],
    },
    Case {
        name: "negative count",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population]\nsize = -5\n",
        )],
        args: &["s.toml"],
        expect: &["s.toml, line 3", "key `population.size`", "-5"],
    },
    Case {
        name: "out-of-range value",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[demography]\nfertility_mean_age = 60.0\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `demography.fertility_mean_age`",
            "between 18 and 40",
            "found 60",
        ],
    },
    Case {
        name: "empty population",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population]\nsize = 0\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `population.size`",
            "expected 1 to 50000000 residents, found 0",
        ],
    },
    Case {
        name: "population too large for one scenario",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population]\nsize = 90000000000\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `population.size`",
            "found 90000000000",
        ],
    },
    Case {
        name: "not a number",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[labour]\nseparation_rate = nan\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `labour.separation_rate`",
            "found NaN",
        ],
    },
    Case {
        name: "infinite value",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[economy]\npension = inf\n",
        )],
        args: &["s.toml"],
        expect: &["s.toml, line 3", "key `economy.pension`", "finite number"],
    },
    Case {
        name: "share above 1",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[labour]\nseparation_rate = 1.5\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `labour.separation_rate`",
            "share between 0 and 1",
            "found 1.5",
        ],
    },
    Case {
        name: "share below 0",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[migration]\n\nfemale_share = -0.1\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 4",
            "key `migration.female_share`",
            "found -0.1",
        ],
    },
    Case {
        name: "an age structure with fewer bands for women than for men",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population.age_structure]\nband_years = 10\nmale = [1, 2, 3]\nfemale = [1, 2]\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 5",
            "key `population.age_structure.female`",
            "expected as many bands as `male` (3), found 2",
        ],
    },
    Case {
        name: "an age structure past the oldest age",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population.age_structure]\nband_years = 20\nmale = [1, 1, 1, 1, 1, 1]\nfemale = [1, 1, 1, 1, 1, 1]\n",
        )],
        args: &["s.toml"],
        expect: &[
            "key `population.age_structure.male`",
            "expected 1 to 5 bands of 20 years (ages below 105), found 6",
        ],
    },
    Case {
        name: "a negative count in an age structure",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population.age_structure]\nmale = [10, -3]\nfemale = [10, 3]\n",
        )],
        args: &["s.toml"],
        expect: &[
            "key `population.age_structure.male`",
            "expected counts or shares of 0 or more, found -3 at position 2",
        ],
    },
    Case {
        name: "shares not summing to 1",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[population]\nskill_shares = [0.5, 0.5, 0.5]\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `population.skill_shares`",
            "summing to 1",
            "1.5",
        ],
    },
    Case {
        name: "sector employment shares not summing to 1",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[sectors.mine]\nemployment_share = 0.9\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 3",
            "key `sectors.mine.employment_share`",
            "sum to 1",
        ],
    },
    Case {
        name: "missing parent",
        files: &[("s.toml", "extends = \"nowhere\"\n")],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 1",
            "key `extends`",
            "no scenario named `nowhere`",
        ],
    },
    Case {
        name: "extends cycle",
        files: &[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "description = \"b\"\nextends = \"a.toml\"\n"),
        ],
        args: &["a.toml"],
        expect: &[
            "b.toml, line 2",
            "key `extends`",
            "cycle",
            "a.toml -> ",
            "b.toml -> ",
        ],
    },
    Case {
        name: "malformed TOML",
        files: &[("s.toml", "extends = \"test-city\"\n[population\nsize = 3\n")],
        args: &["s.toml"],
        expect: &["s.toml, line 2", "malformed TOML"],
    },
    Case {
        name: "bad date",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[simulation]\nstart = \"2010-13\"\n",
        )],
        args: &["s.toml"],
        expect: &["s.toml, line 3", "key `simulation.start`", "month 13"],
    },
    Case {
        name: "policy ending before it starts",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[policies.p]\nkind = \"demand_shock\"\nstart = \"2015-01\"\nend = \"2014-01\"\nsector = \"mine\"\nfactor = 1.2\n",
        )],
        args: &["s.toml"],
        expect: &["s.toml, line 5", "key `policies.p.end`", "not before start"],
    },
    Case {
        name: "unknown sector named by a policy",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[policies.p]\nkind = \"demand_shock\"\nstart = \"2015-01\"\nsector = \"mines\"\nfactor = 1.2\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 5",
            "key `policies.p.sector`",
            "no sector named `mines`",
            "did you mean `mine`",
        ],
    },
    Case {
        name: "key of another policy kind",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[policies.p]\nkind = \"demand_shock\"\nstart = \"2015-01\"\nsector = \"mine\"\nfactor = 1.2\nseats_per_10000 = 3\n",
        )],
        args: &["s.toml"],
        expect: &[
            "s.toml, line 7",
            "key `policies.p.seats_per_10000`",
            "does not apply",
        ],
    },
    Case {
        name: "unknown policy kind",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[policies.p]\nkind = \"bailout\"\nstart = \"2015-01\"\n",
        )],
        args: &["s.toml"],
        expect: &["s.toml, line 3", "key `policies.p.kind`", "bailout"],
    },
    Case {
        name: "extractive sector without reserves",
        files: &[(
            "s.toml",
            "extends = \"test-city\"\n[sectors.services]\nkind = \"extractive\"\n",
        )],
        args: &["s.toml"],
        expect: &["s.toml", "key `sectors.services`", "needs `reserves`"],
    },
    Case {
        name: "empty file",
        files: &[("s.toml", "")],
        args: &["s.toml"],
        expect: &["s.toml", "is empty"],
    },
    Case {
        name: "invalid UTF-8",
        files: &[("s.toml", "extends = \"test-city\"\n\u{0}")],
        args: &["s.toml"],
        expect: &["s.toml"],
    },
    Case {
        name: "a folder instead of a file",
        files: &[],
        args: &["./"],
        expect: &["is a folder"],
    },
    Case {
        name: "unknown scenario name, with a suggestion",
        files: &[],
        args: &["hegang-lik"],
        expect: &[
            "no scenario named `hegang-lik`",
            "did you mean `hegang-like`",
        ],
    },
    Case {
        name: "--set of an unknown key",
        files: &[],
        args: &["test-city", "--set", "labour.separation_rat=0.3"],
        expect: &[
            "--set labour.separation_rat=0.3",
            "key `labour.separation_rat`",
            "did you mean `separation_rate`",
        ],
    },
    Case {
        name: "--set of a wrong type",
        files: &[],
        args: &["test-city", "--set", "population.size=abc"],
        expect: &[
            "--set population.size=abc",
            "key `population.size`",
            "found string \"abc\"",
        ],
    },
    Case {
        name: "--set out of range",
        files: &[],
        args: &["test-city", "--set", "simulation.years=0"],
        expect: &[
            "--set simulation.years=0",
            "key `simulation.years`",
            "1 to 200",
        ],
    },
    Case {
        name: "--set inside a value",
        files: &[],
        args: &["test-city", "--set", "population.size.x=3"],
        expect: &[
            "--set population.size.x=3",
            "key `population.size`",
            "not a table",
        ],
    },
];

fn check_case(case: &Case) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in case.files {
        let bytes: Vec<u8> = if case.name == "invalid UTF-8" {
            let mut b = text.as_bytes().to_vec();
            b.extend_from_slice(&[0xff, 0xfe]);
            b
        } else {
            text.as_bytes().to_vec()
        };
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let mut args = vec!["run"];
    args.extend_from_slice(case.args);
    args.extend_from_slice(&["--out", "out"]);
    let o = boomtown(dir.path(), &args);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}: exit code, stderr:\n{err}",
        case.name
    );
    assert!(!err.contains("panicked"), "{}: panic\n{err}", case.name);
    for fragment in case.expect {
        assert!(
            err.contains(fragment),
            "{}: message lacks {fragment:?}:\n{err}",
            case.name
        );
    }
    assert_no_output(dir.path(), case.name);
}

fn assert_no_output(dir: &Path, case: &str) {
    assert!(
        !dir.join("out").exists(),
        "{case}: an output folder was left behind"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".boomtown"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{case}: staging folders left: {leftovers:?}"
    );
}

#[test]
fn every_bad_scenario_gives_exit_2_and_names_file_line_and_key() {
    for case in CASES {
        check_case(case);
    }
}

#[test]
fn bad_arguments_give_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["run"],
        vec!["run", "test-city", "--replicates", "0"],
        vec!["run", "test-city", "--seed", "minus-one"],
        vec!["run", "test-city", "--set", "no-equals-sign"],
        vec!["run", "test-city", "--set", "extends=hegang-like"],
        vec!["run", "test-city", "--shard", "0/3"],
        vec!["run", "test-city", "--shard", "4/3"],
        vec!["run", "test-city", "--shard", "two"],
        vec!["run", "test-city", "--sweep", "labour.search_probability"],
        vec!["run", "test-city", "--threads", "0"],
        vec![
            "run",
            "test-city",
            "--sweep",
            "labour.search_probability=0.2,,0.3",
        ],
        vec!["run", "test-city", "--sweep", "name=a,b"],
        vec!["run", "test-city", "--set", "x=1\nboomtown: finished"],
        vec!["run", "test-city\u{1b}[2J"],
        vec!["frobnicate"],
    ] {
        let o = boomtown(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
        assert_no_output(dir.path(), &format!("{args:?}"));
        assert!(
            !dir.path().join("output").exists(),
            "{args:?} created output/"
        );
    }
}

/// A negative number where a count or a seed is expected gets the range that
/// is allowed, not the parser's tip about values that start with a dash.
#[test]
fn negative_numbers_are_told_the_range() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            vec!["run", "test-city", "--replicates", "-1"],
            "-1 is not in 1..",
        ),
        (
            vec!["run", "test-city", "--samples", "-1"],
            "-1 is not in 1..",
        ),
        (
            vec!["run", "test-city", "--seed", "-3"],
            "expected a whole number from 0 to",
        ),
        (
            vec!["run", "test-city", "--threads", "-2"],
            "-2 is not in 1..=1024",
        ),
        (
            vec![
                "sensitivity",
                "test-city",
                "--method",
                "morris",
                "--samples",
                "-4",
            ],
            "-4 is not in 1..",
        ),
        (
            vec![
                "calibrate",
                "test-city",
                "--observations",
                "x.csv",
                "--particles",
                "-5",
            ],
            "-5 is not in 1..",
        ),
    ] {
        let o = boomtown(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("tip: to pass"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn check_reports_every_bad_file_before_printing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "extends = \"test-city\"\n[labour]\nvacancy_rate = 2.0\n",
    )
    .unwrap();
    let o = boomtown(dir.path(), &["check", "test-city", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty(),
        "printed a scenario although one was invalid"
    );
    assert!(
        stderr(&o).contains("bad.toml, line 3, key `labour.vacancy_rate`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unwritable_output_folder_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-file"), "not a folder").unwrap();
    let o = boomtown(dir.path(), &["run", "test-city", "--out", "a-file/out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--out a-file/out: cannot write in a-file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_batch_that_cannot_fit_in_memory_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(
        dir.path(),
        &[
            "run",
            "test-city",
            "--set",
            "population.size=50000000",
            "--replicates",
            "1000",
            "--threads",
            "1000",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("would need about") && stderr(&o).contains("GiB"),
        "{}",
        stderr(&o)
    );
    assert_no_output(dir.path(), "memory");
}

#[test]
fn more_policies_than_a_record_can_number_are_refused() {
    // A trainee's record numbers their programme in one byte.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("extends = \"test-city\"\n");
    for i in 0..257 {
        text.push_str(&format!(
            "[policies.jobs{i}]\nkind = \"public_jobs\"\nstart = \"2013-01\"\nend = \"2016-12\"\nsector = \"public\"\njobs_per_10000 = 1.0\n"
        ));
    }
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let o = boomtown(dir.path(), &["run", "s.toml", "--out", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    assert!(err.contains("key `policies`"), "{err}");
    assert!(err.contains("at most 256 policies, found 257"), "{err}");
    assert_no_output(dir.path(), "too many policies");
}

fn boomtown_within_a_minute(dir: &Path, args: &[&str]) -> std::process::Output {
    common::boomtown_within(dir, args, 60)
}

#[test]
fn inputs_that_could_hang_or_exhaust_memory_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = (0..256)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let sweeps: Vec<String> = [
        "migration.outside_wage",
        "labour.separation_rate",
        "labour.search_probability",
        "labour.vacancy_rate",
        "migration.peak_annual_rate",
        "migration.fill_rate",
        "migration.female_share",
        "demography.female_birth_share",
    ]
    .iter()
    .map(|k| format!("{k}={sweep}"))
    .collect();
    let deep_key = format!("{}=1", vec!["a"; 30_000].join("."));
    std::fs::write(dir.path().join("zero.toml"), "extends = \"/dev/zero\"\n").unwrap();
    std::fs::write(
        dir.path().join("weights.toml"),
        "extends = \"test-city\"\n[labour]\nseparation_rate = { dist = \"choice\", values = [0.01, 0.02], weights = [1e308, 1e308] }\n",
    )
    .unwrap();
    let mut cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["test-city", "--set", "population.size=1"],
            "grow without bound",
        ),
        (
            vec!["test-city", "--replicates", "4294967295"],
            "at most 1000000",
        ),
        (vec!["test-city", "--set", &deep_key], "at most 16 keys"),
        (vec!["zero.toml"], "not a regular file"),
        (vec!["weights.toml"], "finite sum"),
    ];
    let mut sweep_args = vec!["test-city"];
    for s in &sweeps {
        sweep_args.extend(["--sweep", s.as_str()]);
    }
    cases.push((sweep_args, "more than 10^19 configurations"));
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.toml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid path; creates a named pipe nobody writes to.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        cases.push((vec!["fifo.toml"], "not a regular file"));
    }
    for (args, expect) in cases {
        let args: Vec<&str> = [&["run"][..], &args, &["--out", "out", "--quiet"]].concat();
        let o = boomtown_within_a_minute(dir.path(), &args);
        let err = stderr(&o);
        let shown: Vec<String> = args.iter().map(|a| a.chars().take(60).collect()).collect();
        assert_eq!(o.status.code(), Some(2), "{shown:?}: {err}");
        assert!(
            err.contains(expect),
            "{shown:?}: expected {expect:?} in {err}"
        );
        assert!(!err.contains("panicked"), "{shown:?}: {err}");
        assert_no_output(dir.path(), &format!("{shown:?}"));
        assert!(!dir.path().join("out.partial").exists(), "{shown:?}");
    }
}

#[test]
fn a_shard_of_a_huge_batch_runs_exactly_its_own_replicate() {
    // 3 billion replicates in 3 billion slices: the last slice is the last replicate.
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown_within_a_minute(
        dir.path(),
        &[
            "run",
            "test-city",
            "--replicates",
            "3000000000",
            "--shard",
            "3000000000/3000000000",
            "--set",
            "simulation.years=1",
            "--no-charts",
            "--quiet",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = common::read_csv(&dir.path().join("out/experiments.csv"));
    let replicate = header.iter().position(|h| h == "replicate").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][replicate], "2999999999");
}

#[test]
fn standard_output_closed_early_ends_quietly_and_a_full_disk_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(common::bin())
        .args(["explain", "hegang"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader takes one line and goes away, as `| head -1` does.
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("hegang"), "{line}");
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = std::process::Command::new(common::bin())
            .args(["explain", "hegang", "--format", "csv"])
            .current_dir(dir.path())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("No space left"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[cfg(unix)]
#[test]
fn paths_that_are_not_utf8_work_and_messages_never_echo_escape_sequences() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    // A folder name in a legacy encoding (GBK for a city's name).
    let legacy = std::ffi::OsStr::from_bytes(&[0xba, 0xd7, 0xb8, 0xda]);
    let folder = dir.path().join(legacy);
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("city.toml"), "extends = \"test-city\"\n").unwrap();
    let o = std::process::Command::new(common::bin())
        .arg("run")
        .arg(Path::new(legacy).join("city.toml"))
        .arg("--out")
        .arg(Path::new(legacy).join("out"))
        .args(["--set", "simulation.years=1", "--no-charts", "--quiet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(folder.join("out/timeseries.csv").is_file());
    // A key with a terminal escape sequence, in a file and in --set.
    std::fs::write(
        dir.path().join("esc.toml"),
        "extends = \"test-city\"\n[labour]\n\"x\\u001b[2J\" = 1\n",
    )
    .unwrap();
    for args in [
        vec!["run", "esc.toml"],
        vec!["run", "test-city", "--set", "labour.x\u{1b}[2J=1"],
        vec!["run", "test-city", "--set", "populaton\u{1b}[2J.size=1"],
    ] {
        let o = boomtown(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            !o.stderr.contains(&0x1b),
            "raw escape echoed: {}",
            stderr(&o)
        );
    }
}

#[test]
fn errors_in_set_name_set_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (arg, key) in [
        ("populaton.size=5000", "key `populaton`"),
        ("population.sise=5000", "key `population.sise`"),
        ("population.size=0", "key `population.size`"),
        ("sectors.nope.wage=1", "key `sectors.nope"),
    ] {
        let o = boomtown(dir.path(), &["check", "test-city", "--set", arg]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{arg}: {err}");
        assert!(err.contains(&format!("--set {arg}")), "{arg}: {err}");
        assert!(err.contains(key), "{arg}: {err}");
        assert!(
            !err.contains("builtin:test-city"),
            "{arg} blamed on the file: {err}"
        );
    }
}

#[test]
fn arguments_with_control_characters_are_refused_and_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(
        dir.path(),
        &[
            "run",
            "test-city",
            "--set",
            "x=1\nboomtown: written to output/x",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("argument 4 contains a control character"),
        "{err}"
    );
    assert!(err.contains("x=1\\nboomtown"), "{err}");
    assert_eq!(err.lines().count(), 1, "a fake line got through: {err}");
}

#[test]
fn a_name_given_with_set_names_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(dir.path(), &["check", "test-city", "--set", "name=renamed"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("renamed is valid"), "{}", stderr(&o));
    let o = boomtown(dir.path(), &["check", "test-city", "--set", "name=../up"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--set name=../up, key `name`"),
        "{}",
        stderr(&o)
    );
}

/// A scenario written for an older boomtown, with keys since replaced, is
/// told what replaced each one, not just that the key is unknown.
#[test]
fn replaced_keys_say_what_replaced_them() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expect) in [
        (
            "[population]\nage_shares = [0.5, 0.5]\n",
            "replaced by `[population.age_structure]`",
        ),
        (
            "[population]\nfemale_share = 0.5\n",
            "`migration.female_share`",
        ),
        (
            "[migration]\nnewcomer_children = 0.3\n",
            "renamed `migration.children_per_mover`",
        ),
    ] {
        let path = dir.path().join("old.toml");
        std::fs::write(&path, format!("extends = \"test-city\"\n{text}")).unwrap();
        let o = boomtown(dir.path(), &["check", "old.toml"]);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains("line 3") && err.contains(expect), "{err}");
    }
}

/// A city size below 1 is told the same range whether it is 0 or negative, and
/// a distribution whose draw leaves a parameter's range is told how to truncate
/// it.
#[test]
fn out_of_range_values_say_the_range_and_the_remedy() {
    let dir = tempfile::tempdir().unwrap();
    for size in ["0", "-5"] {
        let o = boomtown(
            dir.path(),
            &[
                "check",
                "test-city",
                "--set",
                &format!("population.size={size}"),
            ],
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains(&format!("expected 1 to 50000000 residents, found {size}")),
            "{}",
            stderr(&o)
        );
    }
    let o = boomtown(
        dir.path(),
        &[
            "run",
            "test-city",
            "--set",
            "labour.search_probability={dist=\"normal\",mean=0.9,sd=0.3}",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`min` and `max`"), "{}", stderr(&o));
    assert!(!dir.path().join("output").exists());
}

/// `explain --format csv` gives text values as text, without TOML's quotes.
#[test]
fn explain_csv_values_are_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let o = boomtown(dir.path(), &["explain", "test-city", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0));
    let out = common::stdout(&o);
    let start = out
        .lines()
        .find(|l| l.starts_with("simulation.start,"))
        .unwrap();
    assert!(start.starts_with("simulation.start,2010-01,"), "{start}");
}

//! The live app in a real browser: headless Chromium opens the page served by
//! `boomtown serve`, a lever is moved and the indicators answer as the model
//! says they should, a run is pinned and compared, and a value the model
//! refuses shows its error next to its control. Screenshots at projector, large
//! type and phone sizes are saved under `target/serve-screenshots/`.
//!
//! Chromium is found at `$BOOMTOWN_CHROMIUM`, else `/usr/bin/chromium`; without
//! it the test is reported as ignored, with the reason (see `build.rs`), and
//! under `CI` it fails.

mod common;

use std::time::{Duration, Instant};

use headless_chrome::Tab;

use common::browser::screenshot;
use common::server::Server;

fn js(tab: &Tab, script: &str) -> serde_json::Value {
    tab.evaluate(script, false)
        .unwrap_or_else(|e| panic!("{script}: {e}"))
        .value
        .unwrap_or(serde_json::Value::Null)
}

/// Waits until the page has shown `runs` results (or fails with what it shows).
fn wait_for_run(tab: &Tab, runs: u64) {
    let started = Instant::now();
    loop {
        let shown = js(tab, "Number(document.getElementById('status').dataset.run)");
        if shown.as_u64().is_some_and(|n| n >= runs) {
            // Let the charts draw.
            std::thread::sleep(Duration::from_millis(300));
            return;
        }
        let status = js(
            tab,
            "document.getElementById('status').innerText + ' ' + document.getElementById('error-run').innerText",
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run {runs} never showed; the page says: {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn card(tab: &Tab, key: &str) -> f64 {
    js(
        tab,
        &format!("Number(document.querySelector('.card[data-indicator={key}]').dataset.value)"),
    )
    .as_f64()
    .unwrap_or(f64::NAN)
}

/// Types a value into a control as a user would: select what is there, type,
/// and leave the field (which commits the value).
fn type_into(tab: &Tab, id: &str, value: &str) {
    let element = tab
        .find_element(&format!("[id='{id}']"))
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    element.click().expect("clicks");
    js(tab, &format!("document.getElementById('{id}').select()"));
    tab.type_str(value).expect("types");
    tab.press_key("Tab").expect("leaves the field");
}

#[test]
#[cfg_attr(
    not(browser_test),
    ignore = "no Chromium at $BOOMTOWN_CHROMIUM or /usr/bin/chromium when the tests were built; install the `chromium` package or set BOOMTOWN_CHROMIUM"
)]
fn a_class_moves_a_lever_pins_a_run_and_sees_errors_in_the_app() {
    let server = Server::start(&["--threads", "2"]);
    let shots = common::browser::screenshot_folder("serve-screenshots");
    let (browser, _profile) = common::browser::launch((1280, 720));
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(60));
    tab.navigate_to(&server.at("/#scenario=hegang-like"))
        .expect("navigates");
    tab.wait_until_navigated().expect("loads");
    wait_for_run(&tab, 1);
    let charts = js(&tab, "document.querySelectorAll('#charts canvas').length");
    assert!(charts.as_u64().unwrap_or(0) >= 6, "charts drawn: {charts}");
    assert_eq!(
        js(
            &tab,
            "document.querySelectorAll('#scorecard tr[data-indicator]').length"
        ),
        serde_json::json!(boomtown::model::scorecard::SCORECARD.len())
    );
    assert!(
        js(&tab, "document.getElementById('command').textContent")
            .as_str()
            .is_some_and(|c| c.starts_with("boomtown run hegang-like")),
        "the command is shown"
    );
    screenshot(&tab, &shots.join("app-1280x720.png"));
    let displaced = card(&tab, "displaced_workers");
    let population = card(&tab, "population_change");

    // Pin this run as A, then give the mines four times the reserves: they no
    // longer run out within the run, fewer miners lose their jobs, and the city
    // shrinks less.
    tab.find_element("#pin").unwrap().click().unwrap();
    type_into(&tab, "lever-sectors.coal.reserves", "440");
    wait_for_run(&tab, 2);
    let displaced_after = card(&tab, "displaced_workers");
    let population_after = card(&tab, "population_change");
    assert!(
        displaced_after < displaced,
        "displaced workers {displaced} -> {displaced_after} with four times the reserves"
    );
    assert!(
        population_after > population,
        "population change {population} -> {population_after}"
    );
    assert!(
        (-1.0..0.0).contains(&population),
        "the population change is a fraction: {population}"
    );
    // A and B side by side: the scorecard has both columns and the difference.
    let heads = js(
        &tab,
        "Array.from(document.querySelectorAll('#scorecard thead th')).map(t => t.textContent).join('|')",
    );
    assert_eq!(
        heads,
        "Indicator|Unit|A|Median|5–95 %|B − A".replace("Median", "B")
    );
    assert!(
        js(&tab, "document.querySelectorAll('.card .versus').length")
            .as_u64()
            .unwrap_or(0)
            > 0,
        "the cards show A's values"
    );
    // Both runs can be reproduced: B's command has the lever, A's has not.
    let b = js(&tab, "document.getElementById('command').textContent");
    let a = js(&tab, "document.getElementById('command-a').textContent");
    assert!(
        b.as_str()
            .is_some_and(|c| c.contains("sectors.coal.reserves=440")),
        "{b}"
    );
    assert!(
        a.as_str()
            .is_some_and(|c| c.starts_with("boomtown run hegang-like") && !c.contains("reserves")),
        "{a}"
    );
    screenshot(&tab, &shots.join("app-pinned.png"));

    // An invalid value: the model's own message, next to its control.
    tab.find_element("[id='lever-policies.retraining.enabled']")
        .unwrap()
        .click()
        .unwrap();
    wait_for_run(&tab, 3);
    type_into(&tab, "lever-policies.retraining.take_up", "2");
    let started = Instant::now();
    let message = loop {
        let text = js(
            &tab,
            "document.getElementById('error-policies.retraining.take_up').textContent",
        );
        if text.as_str().is_some_and(|t| !t.is_empty()) {
            break text.as_str().unwrap().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no error shown"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(message.contains("take_up"), "{message}");
    assert_eq!(
        js(&tab, "document.getElementById('status').dataset.state"),
        "error"
    );
    screenshot(&tab, &shots.join("app-error.png"));

    // Large type, for the back of the room.
    tab.find_element("#large").unwrap().click().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    screenshot(&tab, &shots.join("app-large-type.png"));

    // Who pays: early retirement switched on is a public scheme; chosen as the
    // employers', its allowances leave the public cost for the employers' own.
    let payer = browser.new_tab().expect("a tab for the payer");
    payer.set_default_timeout(Duration::from_secs(60));
    payer
        .navigate_to(&server.at("/#scenario=hegang-like"))
        .unwrap();
    payer.wait_until_navigated().unwrap();
    wait_for_run(&payer, 1);
    payer
        .find_element("[id='lever-policies.early_retirement.enabled']")
        .unwrap()
        .click()
        .unwrap();
    wait_for_run(&payer, 2);
    let cost = |name: &str| {
        js(
            &payer,
            &format!("Number(document.querySelector('#scorecard tr[data-indicator={name}]').dataset.value)"),
        )
        .as_f64()
        .unwrap_or(f64::NAN)
    };
    assert!(cost("public_cost_early_retirement") > 0.0);
    assert_eq!(cost("employer_cost_early_retirement"), 0.0);
    js(
        &payer,
        "const s = document.getElementById('lever-policies.early_retirement.paid_by'); \
         s.value = 'employer'; s.dispatchEvent(new Event('change')); true",
    );
    wait_for_run(&payer, 3);
    assert_eq!(cost("public_cost_early_retirement"), 0.0);
    assert!(cost("employer_cost_early_retirement") > 0.0);
    // A card shows what employers pay once they pay anything.
    assert!(card(&payer, "employer_cost_early_retirement") > 0.0);
    assert!(
        js(&payer, "document.getElementById('command').textContent")
            .as_str()
            .is_some_and(|c| c.contains("policies.early_retirement.paid_by=employer")),
        "the command shows who pays"
    );

    // A lesson: its question and discussion beside the controls, its two
    // scenarios run as A and B.
    let phone = browser.new_tab().expect("a second tab");
    phone
        .call_method(
            headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride {
                width: 390,
                height: 844,
                device_scale_factor: 2.0,
                mobile: true,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            },
        )
        .expect("a phone-sized screen");
    phone.set_default_timeout(Duration::from_secs(60));
    phone.navigate_to(&server.at("/#lesson=2")).unwrap();
    phone.wait_until_navigated().unwrap();
    wait_for_run(&phone, 2);
    assert_eq!(
        js(&phone, "document.getElementById('lesson-panel').hidden"),
        false
    );
    assert!(
        js(
            &phone,
            "document.getElementById('pinned-label').textContent"
        )
        .as_str()
        .is_some_and(|t| t.starts_with("A: hegang-no-policy")),
        "the lesson's first scenario is pinned as A"
    );
    screenshot(&phone, &shots.join("app-phone-lesson.png"));
}

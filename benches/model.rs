//! Benchmarks of the simulation core: one monthly step and whole replicates at
//! several scales. Run with `cargo bench`; `docs/performance.md` records the
//! figures and the full-scale measurements.

use boomtown::model::{City, model_rng};
use boomtown::scenario::{self, Override, Scenario};

fn main() {
    divan::main();
}

fn scenario(name: &str, size: u64, years: u32) -> Scenario {
    let overrides: Vec<Override> = [
        format!("population.size={size}"),
        format!("simulation.years={years}"),
    ]
    .iter()
    .map(|o| o.parse().expect("a valid override"))
    .collect();
    scenario::load(name, &overrides).expect("a shipped scenario")
}

/// One month of a city of each size, after five years of warm-up.
#[divan::bench(args = [10_000, 100_000, 265_036])]
fn monthly_step(bencher: divan::Bencher, size: u64) {
    let s = scenario("baotou", size, 30);
    let mut city = City::new(s.params.clone(), model_rng(1));
    for _ in 0..60 {
        city.step();
    }
    bencher.bench_local(|| {
        if city.finished() {
            city = City::new(s.params.clone(), model_rng(1));
        }
        city.step();
    });
}

/// A whole replicate (30 years, monthly) of the baotou scenario at 1/100 and 1/10
/// of its real population.
#[divan::bench(args = [26_504, 265_036], sample_count = 5, sample_size = 1)]
fn replicate(size: u64) -> u64 {
    let s = scenario("baotou", size, 30);
    let mut city = City::new(s.params.clone(), model_rng(1));
    while !city.finished() {
        city.step();
    }
    city.residents()
}

/// What the live app (`boomtown serve`) does when a lever moves: the default
/// teaching run of hegang-like (20,000 residents, 8 replicates, 30 years) on
/// the machine's threads, summarised for the page. The app's target is about a
/// second.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn live_teaching_run() -> usize {
    use boomtown::commands::serve::live;
    let s = scenario("hegang-like", 20_000, 30);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let outcome = live::simulate(
        &s,
        1,
        8,
        threads,
        &live::Progress::default(),
        &std::sync::atomic::AtomicBool::new(false),
    )
    .expect("runs")
    .expect("not stopped");
    outcome.dates.len()
}

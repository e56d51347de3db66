//! `ThreadSleeper`'s waits share one timer thread and leave nothing behind when cancelled.
//! Alone in its test binary: it counts the process's threads and the timer's waits, and
//! another test running beside it would add its own.
#![cfg(target_os = "linux")]

use std::time::Duration;

use errspec::{Sleeper, ThreadSleeper};

/// This process's threads.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[tokio::test]
async fn aborted_waits_leave_no_thread_behind() {
    let before = threads();
    let tasks: Vec<_> = (0..200)
        .map(|_| tokio::spawn(async { ThreadSleeper.sleep(Duration::from_secs(20)).await }))
        .collect();
    // Let every task start its wait.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(tasks.iter().all(|task| !task.is_finished()));
    assert_eq!(errspec::__private::thread_sleeper_pending(), 200);
    let during = threads();
    assert!(
        during <= before + 2,
        "{before} threads before 200 waits, {during} during them"
    );

    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        assert!(task.await.unwrap_err().is_cancelled());
    }
    // Each aborted wait left the timer when its task dropped it.
    assert_eq!(errspec::__private::thread_sleeper_pending(), 0);
    let after = threads();
    assert!(
        after <= before + 2,
        "{before} threads before 200 waits, {after} after they were aborted"
    );
}

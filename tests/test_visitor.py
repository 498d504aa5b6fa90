"""Whether a visitor is still there: asked of Streamlit's runtime for the session of the thread's script run."""

from types import SimpleNamespace

import pytest

from relu_viz.training import TrainConfig, train_seeds
from ui import visitor


def test_a_thread_of_no_session_always_has_its_visitor():
    assert visitor.present()
    visitor.check()


@pytest.mark.parametrize("connected", [True, False])
def test_a_sessions_visitor_is_there_while_its_session_is_active(monkeypatch, connected):
    active = {"abc": connected}
    runtime = SimpleNamespace(is_active_session=lambda session_id: active[session_id])
    monkeypatch.setattr(visitor, "get_script_run_ctx", lambda suppress_warning: SimpleNamespace(session_id="abc"))
    monkeypatch.setattr(visitor, "Runtime", SimpleNamespace(exists=lambda: True, instance=lambda: runtime))
    assert visitor.present() is connected
    if connected:
        visitor.check()
    else:
        with pytest.raises(visitor.Left):
            visitor.check()


def test_a_sweep_whose_visitor_left_stops_at_its_next_progress_report(monkeypatch):
    monkeypatch.setattr(visitor, "present", lambda: False)
    reports = []

    def check(runs):
        reports.append(runs[0].epochs_run)
        visitor.check(runs)

    with pytest.raises(visitor.Left):
        train_seeds(TrainConfig(epochs=100), range(3), check, every=25)
    assert reports == [0], "stopped at the first report (before the first epoch), not trained to the end"

"""The server process's heap before it serves (issue 11): with 1,000 phones connected, Python's
full garbage collections walked ~320,000 objects every 8-10 s while phones posted, stopping
every socket for 0.2-0.8 s. Start-up's objects are frozen out of every collection, full
collections wait longer, and greenlets no longer record the stack that spawned them."""
import gc

import gevent
import pytest

from facilitator import server


@pytest.fixture
def restored_collector():
    thresholds, tracks = gc.get_threshold(), gevent.config.track_greenlet_tree
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    gevent.config.track_greenlet_tree = tracks


def test_before_serving_start_up_objects_are_frozen_and_full_collections_come_less_often(
        restored_collector):
    young, middle, full = gc.get_threshold()

    server.settle_for_long_lived_connections()

    assert gc.get_freeze_count() > 10_000  # this test process's modules, at the least
    assert gc.get_threshold()[:2] == (young, middle)
    assert gc.get_threshold()[2] > full
    assert gevent.config.track_greenlet_tree is False
    greenlet = gevent.spawn(lambda: None)
    assert greenlet.spawning_stack is None
    greenlet.join()

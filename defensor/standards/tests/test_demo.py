from __future__ import annotations

from defensor.core.management.commands.demo import Demo
from defensor.standards import demo
from defensor.standards.models import Provision


def test_demo_build_loads_the_catalogue_and_can_run_again(db):
    builder = Demo()
    demo.build(builder)
    demo.build(builder)
    assert Provision.objects.filter(code="BPRL-16").exists()
    assert builder.objects["standards:load_report"].changed is False

"""The statistics are pure: a simulation study imports them without the web stack."""
import subprocess
import sys
from pathlib import Path


def test_stats_import_without_flask():
    code = "import sys; import plateforme.stats; assert 'flask' not in sys.modules, sorted(sys.modules)"
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_create_app_is_still_importable_from_the_package():
    from plateforme import create_app
    from plateforme.app import create_app as factory

    assert create_app is factory

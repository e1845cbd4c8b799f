from mnist_fooling.report import timings
from tools.cluster import compare
from tools.reliability import hash_results


def test_the_cluster_and_reliability_checks_share_one_list_of_timed_files():
    assert compare.EXCLUDED is timings.TIMED_FILES
    assert compare.MASKED is timings.TIMED_SECTIONS


def test_the_report_is_masked_in_each_timed_section_and_the_lab_section_three_times():
    html = (
        b'<h2 id="the-lab-in-the-browser">Lab</h2><table>9 img/s</table><p>t</p><table>3 s</table>'
        b"<p>k</p><table>12.7 G</table>"
        b'<h3 id="speed-of-the-search">S</h3><table>5/s</table>'
        b'<h3 id="run-time-per-job">R</h3><table>1.5 s</table>'
        b'<h3 id="versions">V</h3><table>np</table>'
    )
    masked = timings.mask_timings("report/report.html", html)
    assert b"<table>np</table>" in masked and masked.count(b"<table") == 1
    assert timings.mask_timings("metrics/a.html", html) == html


def test_the_reliability_hashes_leave_out_every_timed_file(tmp_path):
    for rel in [*timings.TIMED_FILES, "metrics/a.csv"]:
        path = tmp_path / "test" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"1")
    assert list(hash_results(tmp_path)) == ["test/metrics/a.csv"]

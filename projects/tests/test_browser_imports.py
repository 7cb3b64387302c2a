"""The Excel import in a real browser, through a real worker: the enterprise opens the import page
from its workspace, uploads a workbook, watches the job wait and then finish (the page's script
polls the job's status and reloads when it is done), and sees the row errors of a bad file."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import ImportJob
from projects.models import Project

from .test_browser import sign_in
from .test_import_export import row, workbook

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_private_root(settings, tmp_path):
    """Where the server thread stores uploads and the worker reads them."""
    root = tmp_path / "shared-private"
    settings.PRIVATE_MEDIA_ROOT = str(root)
    return root


def test_an_upload_waits_for_the_worker_shows_its_progress_and_then_the_result(
    browser_page, cast, celery_worker_factory, smtp_sink, shared_private_root, tmp_path
):
    page = browser_page
    good = tmp_path / "项目.xlsx"
    good.write_bytes(workbook([row(cast.enterprise, name=f"蒙巴萨港扩建工程{n}期") for n in range(1, 4)]))
    bad = tmp_path / "有错误的项目.xlsx"
    bad.write_bytes(workbook([row(cast.enterprise), row(cast.enterprise, contract_value=-1, country="XX")]))

    hostile = tmp_path / "伪装的文件.xlsx"
    hostile.write_bytes(b"PK\x03\x04 not really a workbook")

    sign_in(page, cast.owner, "/projects/workspace/")
    page.get_by_test_id("project-import").click()
    expect(page).to_have_url(re.compile(r"/projects/import/$"))
    expect(page.get_by_test_id("import-template")).to_be_visible()

    # A file that is no workbook is refused at once, on the form, with the summary focused.
    page.set_input_files("#id_file", str(hostile))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    expect(page.get_by_test_id("error-summary")).to_contain_text("无法读取文件")
    assert not ImportJob.objects.exists()

    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="上传并导入").click()

    # No worker yet: the job waits, and the page says so with its progress bar.
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    expect(page.get_by_test_id("import-job-status")).to_have_text("排队中")
    expect(page.locator("progress")).to_be_visible()

    worker = celery_worker_factory(email_url=smtp_sink.url, PRIVATE_MEDIA_ROOT=str(shared_private_root))
    # The page's script sees the job finish and reloads: no click, no refresh by hand.
    expect(page.get_by_test_id("import-job-status")).to_have_text("已完成", timeout=60_000)
    expect(page.get_by_test_id("import-result")).to_contain_text("已导入 3 条记录")
    expect(page.locator("progress")).to_have_count(0)
    assert Project.objects.filter(organization=cast.enterprise).count() == 3, worker.log_tail()

    page.get_by_role("link", name="重新上传").click()
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_test_id("import-job-status")).to_have_text("未导入", timeout=60_000)
    errors = page.get_by_test_id("import-error-row")
    expect(errors).to_have_count(2)
    expect(page.get_by_test_id("import-errors")).to_contain_text("合同金额（contract_value）")
    expect(page.get_by_test_id("import-errors")).to_contain_text("国家代码（country）")
    assert Project.objects.filter(organization=cast.enterprise).count() == 3
    assert ImportJob.objects.count() == 2

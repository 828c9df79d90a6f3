#!/usr/bin/python3
"""The web console in a real browser (headless Chromium through Selenium).

Run by tests/integration/test_web_console.c against a real slamond:

  console_test.py --url http://127.0.0.1:PORT --user NAME --password PW \
      --down DEVICE --shots DIR [--note TEXT]

Logs in (after a wrong password, which must say so), finds the access
point that is down from the overview wall (the "down" count of the access
role), opens it, acknowledges its open fault with a note, and checks that
the fault's history names the web user; with --close-note it then closes
the fault (note, satisfaction) from the faults page. It also checks the faults
page and the topology (the device red), English (kept across a reload),
that a session that went away brings the login page back saying it
expired, and that logout does too; it saves a screenshot of every page it
passes at 1920x1080 into DIR. Prints one JSON line {"fault": ID, ...} and
exits 0 on success; exits 1 with the reason on stderr on a failed check,
and 77 (the CTest/automake "skipped" code) when Chromium cannot start.
SPDX-License-Identifier: MIT
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as e:  # a missing dependency is a failure, not a skip
    print("FAIL: python3-selenium is not installed (%s); run scripts/install-deps.sh" % e,
          file=sys.stderr)
    sys.exit(1)

WAIT = 30  # seconds for any one thing to appear


class Fail(Exception):
    pass


def chromium(shots, profile):
    o = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1920,1080",
              "--lang=zh-CN", "--no-first-run", "--no-default-browser-check",
              "--user-data-dir=" + profile):
        o.add_argument(a)
    for b in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(b):
            o.binary_location = b
            break
    drv = "/usr/bin/chromedriver"
    if not os.path.exists(drv):
        raise WebDriverException("no %s (Debian chromium-driver)" % drv)
    d = webdriver.Chrome(service=Service(drv, log_path=os.path.join(shots, "chromedriver.log")),
                         options=o)
    d.set_page_load_timeout(WAIT)
    # The window's outer size is 1920x1080; make the page itself that big.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 1920, "height": 1080, "deviceScaleFactor": 1,
                       "mobile": False})
    return d


def wait(d, cond, what):
    try:
        return WebDriverWait(d, WAIT, poll_frequency=0.2).until(cond)
    except TimeoutException:
        raise Fail("timed out after %d s waiting for %s (at %s)" % (WAIT, what, d.current_url))


def shot(d, shots, name):
    path = os.path.join(shots, name + ".png")
    d.save_screenshot(path)
    print("screenshot %s" % path, file=sys.stderr)


class NoBrowser(Exception):
    pass


def run(a):
    try:
        d = chromium(a.shots, a.profile)
    except WebDriverException as e:
        msg = str(e).strip().splitlines()
        raise NoBrowser(msg[0] if msg else repr(e))
    try:
        return steps(d, a)
    except Fail:
        shot(d, a.shots, "failure")
        raise
    finally:
        try:
            for e in d.get_log("browser"):
                if e.get("level") == "SEVERE":
                    print("browser: %s" % e.get("message"), file=sys.stderr)
        except WebDriverException:
            pass
        d.quit()


def steps(d, a):
    # 1. the login page (Chinese by default), then the overview wall
    d.get(a.url + "/")
    wait(d, EC.visibility_of_element_located((By.ID, "login-user")), "the login form")
    if d.find_element(By.ID, "login-submit").text != "登录":
        raise Fail("the login button is not in Chinese: %r" % d.find_element(By.ID, "login-submit").text)
    d.find_element(By.ID, "login-user").send_keys(a.user)
    d.find_element(By.ID, "login-password").send_keys("wrong-" + a.password)
    d.find_element(By.ID, "login-submit").click()
    err = wait(d, EC.visibility_of_element_located((By.ID, "login-error")), "the bad-password message")
    if "错误" not in err.text:
        raise Fail("a wrong password says %r" % err.text)
    d.find_element(By.ID, "login-password").clear()
    d.find_element(By.ID, "login-password").send_keys(a.password)
    d.find_element(By.ID, "login-submit").click()
    wait(d, EC.visibility_of_element_located((By.ID, "app")), "the console after login")
    who = d.find_element(By.ID, "whoami").text
    if a.user not in who:
        raise Fail("the header names %r, not the user %s" % (who, a.user))

    # 2. the wall shows the access point down; its count links to the list
    cnt = wait(d, EC.element_to_be_clickable(
        (By.CSS_SELECTOR, ".role-tile[data-role=access] .cnt.st-down:not(.zero)")),
        "a non-zero 'down' count of the access role on the overview")
    wait(d, EC.presence_of_element_located(
        (By.CSS_SELECTOR, ".p-faults tr[data-fault]")), "the open fault on the overview")
    shot(d, a.shots, "overview")
    cnt.click()

    # 3. the device list, filtered to down access points, has our device
    wait(d, EC.url_contains("state=down"), "the device list filtered to down")
    row = wait(d, EC.presence_of_element_located(
        (By.CSS_SELECTOR, "tr[data-device='%s']" % a.down)), "%s in the down list" % a.down)
    shot(d, a.shots, "devices-down")
    row.find_element(By.CSS_SELECTOR, "a.dev").click()

    # 4. its page: state down, its open fault, acknowledge it from there
    wait(d, EC.presence_of_element_located(
        (By.CSS_SELECTOR, "h2[data-device='%s']" % a.down)), "the page of %s" % a.down)
    wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, ".facts .st-down")),
         "the device page saying down")
    btn = wait(d, EC.element_to_be_clickable(
        (By.CSS_SELECTOR, "tr[data-state=open][data-device='%s'] button.btn-ack" % a.down)),
        "an acknowledge button on the open fault of %s" % a.down)
    fid = int(btn.find_element(By.XPATH, "./ancestor::tr").get_attribute("data-fault"))
    shot(d, a.shots, "device")
    btn.click()
    note = wait(d, EC.visibility_of_element_located((By.ID, "f-note")), "the note field")
    note.send_keys(a.note)
    shot(d, a.shots, "ack-dialog")
    d.find_element(By.ID, "f-submit").click()
    acked = wait(d, EC.presence_of_element_located(
        (By.CSS_SELECTOR, "tr[data-fault='%d'][data-state=acked]" % fid)),
        "fault #%d shown acknowledged" % fid)
    hist = acked.find_element(By.CSS_SELECTOR, "ul.history").text
    if a.user not in hist or a.note not in hist:
        raise Fail("the history of #%d does not say who and why: %r" % (fid, hist))

    # 5. the faults page shows it acknowledged with who did it
    d.get(a.url + "/#/faults?status=all")
    row = wait(d, EC.presence_of_element_located(
        (By.CSS_SELECTOR, "tr[data-fault='%d'][data-state=acked]" % fid)),
        "#%d acknowledged on the faults page" % fid)
    if a.user not in row.text:
        raise Fail("the faults page does not name %s: %r" % (a.user, row.text))
    shot(d, a.shots, "faults")
    if a.close_note:
        # close it: note and satisfaction; the history says who closed it
        row.find_element(By.CSS_SELECTOR, "button.btn-close").click()
        wait(d, EC.visibility_of_element_located((By.ID, "f-note")), "the close dialog").send_keys(a.close_note)
        Select(d.find_element(By.ID, "f-sat")).select_by_value(a.satisfaction)
        shot(d, a.shots, "close-dialog")
        d.find_element(By.ID, "f-submit").click()
        row = wait(d, EC.presence_of_element_located(
            (By.CSS_SELECTOR, "tr[data-fault='%d'][data-state=closed]" % fid)),
            "#%d shown closed" % fid)
        hist = row.find_element(By.CSS_SELECTOR, "ul.history").text
        if a.close_note not in hist or a.satisfaction not in row.text:
            raise Fail("the closed #%d does not show the note and satisfaction: %r" % (fid, row.text))
        if row.find_elements(By.CSS_SELECTOR, "button"):
            raise Fail("a closed fault still offers acknowledge or close")
        shot(d, a.shots, "faults-closed")

    # 6. the topology draws the device red; a parent outage is one red
    # branch with its unreachable children grey
    d.get(a.url + "/#/topology")
    wait(d, EC.presence_of_element_located(
        (By.CSS_SELECTOR, "g.tnode.st-down[data-device='%s']" % a.down)),
        "%s red in the topology" % a.down)
    if a.parent_down:
        wait(d, EC.presence_of_element_located(
            (By.CSS_SELECTOR, "g.tnode.st-down[data-device='%s']" % a.parent_down)),
            "%s red in the topology" % a.parent_down)
        for u in a.unreachable:
            wait(d, EC.presence_of_element_located(
                (By.CSS_SELECTOR, "g.tnode.st-unreachable.red[data-device='%s']" % u)),
                "%s grey on a red branch in the topology" % u)
    shot(d, a.shots, "topology")

    # 7. English: the switch translates and is remembered
    d.find_element(By.CSS_SELECTOR, "#app .lang-switch").click()
    wait(d, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#nav a[data-view=faults]"), "Faults"),
         "the English menu")
    d.get(a.url + "/#/overview")
    wait(d, EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#nav a[data-view=overview]"), "Overview"),
         "English kept after a reload")
    wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, ".role-tile")), "the English overview")
    shot(d, a.shots, "overview-en")

    # 8. a session that is gone (expired, slamond restarted: here the
    # cookie deleted) brings the login page back at the next refresh,
    # saying why; logging in again returns to the console
    d.delete_cookie("slamon_session")
    err = wait(d, EC.visibility_of_element_located((By.ID, "login-error")),
               "the login page after the session went away")
    if "expired" not in err.text:
        raise Fail("an expired session says %r" % err.text)
    d.find_element(By.ID, "login-user").clear()
    d.find_element(By.ID, "login-user").send_keys(a.user)
    d.find_element(By.ID, "login-password").send_keys(a.password)
    d.find_element(By.ID, "login-submit").click()
    wait(d, EC.visibility_of_element_located((By.ID, "app")), "the console after logging in again")

    # 9. logout brings the login page back; the session is gone
    d.find_element(By.ID, "logout").click()
    wait(d, EC.visibility_of_element_located((By.ID, "login-user")), "the login page after logout")
    d.get(a.url + "/#/faults")
    wait(d, EC.visibility_of_element_located((By.ID, "login-user")),
         "the login page on a reload after logout")
    return {"fault": fid, "user": a.user}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--down", required=True, help="the access point that is down")
    p.add_argument("--shots", required=True, help="folder for the screenshots")
    p.add_argument("--note", default="web console test: on site")
    p.add_argument("--close-note", help="then close the fault with this note")
    p.add_argument("--satisfaction", default="基本满意", choices=["满意", "基本满意", "不满意"])
    p.add_argument("--parent-down", help="a device down with children behind it")
    p.add_argument("--unreachable", action="append", default=[],
                   help="a child of --parent-down (unreachable); repeatable")
    a = p.parse_args()
    os.makedirs(a.shots, exist_ok=True)
    a.profile = tempfile.mkdtemp(prefix="slamon-chromium-")
    try:
        res = run(a)
    except NoBrowser as e:
        print("skip: chromium cannot start: %s" % e, file=sys.stderr)
        return 77
    except WebDriverException as e:
        msg = str(e).strip().splitlines()
        print("FAIL: webdriver: %s" % (msg[0] if msg else repr(e)), file=sys.stderr)
        return 1
    except Fail as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(a.profile, ignore_errors=True)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())

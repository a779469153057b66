"""The stdio console, line by line, with IOS's exact text.

Every test pipes lines into a fresh iosim and reads the transcript back with
iosim.parse(). A test that ends with the empty line "" reads the prompt the
router is at from that last record (an empty line just prints the prompt
again, as on IOS).

Tests of behaviour that may not be built yet are plain tests: they fail until
it is.
"""

import re

import pytest

import iosim
from iosim import MSG_INVALID, MSG_INCOMPLETE

BANNER = "Enter configuration commands, one per line.  End with CNTL/Z."
CONFIG_I = re.compile(r"(?:^|: ?)%SYS-5-CONFIG_I: Configured from console by console$",
                      re.M)
UNKNOWN = "% Unknown command or computer name, or unable to find computer address"


def run(lines, **kw):
    res = iosim.run(lines, **kw)
    assert not res.problems(), "; ".join(res.problems()) + "\n" + res.describe()
    return res


def all_echoed(res):
    missing = [r.line for r in res.records if not r.echoed]
    assert not missing, f"lines not echoed after a prompt: {missing!r}\n{res.describe()}"


def last_prompt(res):
    r = res.records[-1]
    assert r.echoed, f"last line {r.line!r} not echoed\n{res.describe()}"
    return r.prompt


def no_errors(res, upto=None):
    bad = [(r.line, r.errors(), r.output) for r in res.records[:upto] if r.errors()]
    assert not bad, f"unexpected errors: {bad!r}"


def help_lines(rec):
    """The `?` listing: the output lines that start with two spaces, from the
    first line on (IOS reprints the prompt and the typed text after them)."""
    out = []
    for l in rec.lines():
        if l.startswith("  "):
            out.append(l)
        elif out or l:
            break
    return out


def caret_error(prompt, bad_word_offset):
    """IOS's invalid-input output: the caret under the failing word, the
    message, a blank line."""
    return " " * (len(prompt) + bad_word_offset) + "^\n" + MSG_INVALID + "\n\n"


def conf(*lines):
    return ["enable", "configure terminal", *lines]


# ---- prompts and modes ------------------------------------------------------------

def test_first_prompt_is_user_exec():
    res = run([""])
    assert last_prompt(res) == "Router>"


def test_hostname_option_sets_first_prompt():
    res = run([""], args=["--hostname", "R7"])
    assert last_prompt(res) == "R7>"


def test_enable_disable():
    res = run(["enable", "disable", ""])
    all_echoed(res)
    assert [r.prompt for r in res.records] == ["Router>", "Router#", "Router>"]
    no_errors(res)


def test_user_exec_show_commands():
    """IOS lets user EXEC look at interfaces, ARP, HSRP, ACLs and routes;
    the configuration stays behind enable."""
    cfg = ["enable", "configure terminal", "interface FastEthernet0/0",
           "ip address 10.0.0.1 255.255.255.0", "standby 1 ip 10.0.0.254",
           "access-list 10 permit any", "end", "disable"]
    looks = ["show interfaces FastEthernet0/0", "show ip interface brief",
             "show standby brief", "show arp", "show access-lists",
             "show ip route"]
    res = run(cfg + looks + ["show running-config"])
    for r in res.records[len(cfg):len(cfg) + len(looks)]:
        assert r.prompt == "Router>" and not r.errors(), r.line + "\n" + res.describe()
    assert "FastEthernet0/0 is down, line protocol is down" in res.records[len(cfg)].output
    assert "10.0.0.254" in res.records[len(cfg) + 2].output
    assert "permit any" in res.records[len(cfg) + 4].output
    assert MSG_INVALID in res.records[-1].output


SHOW_CLOCK = re.compile(r"\*\d\d:\d\d:\d\d\.\d{3} \S+ \w{3} \w{3} [1-9]\d? \d{4}")
SYSLOG_DATETIME = re.compile(r"^\*\w{3} [ 123]\d \d\d:\d\d:\d\d\.\d{3}: "
                             r"%SYS-5-CONFIG_I: ", re.M)


def test_show_clock_and_syslog_dates_keep_their_ios_shapes():
    """show clock prints the day of the month unpadded ("Mon Mar 1 1993"),
    syslog timestamps pad it to two columns ("*Mar  1 00:01:02.345:"): the
    shapes differ on days below 10 and each holds on any day."""
    res = run(["show clock", "enable", "configure terminal",
               "service timestamps log datetime msec", "end", "show clock"])
    for rec in (res.records[0], res.records[-1]):
        line = rec.output.rstrip("\n")
        assert SHOW_CLOCK.fullmatch(line) and "  " not in line, line
    assert SYSLOG_DATETIME.search(res.records[4].output), res.describe()


def test_syslog_datetime_is_utc_unless_localtime():
    """`service timestamps log datetime` stamps in UTC; with `localtime` in
    the `clock timezone` show clock uses, as IOS does."""
    res = run(["enable", "configure terminal", "clock timezone PST -8",
               "service timestamps log datetime msec", "end", "show clock",
               "configure terminal",
               "service timestamps log datetime msec localtime show-timezone",
               "end", "show clock"])

    def hour(rx, text):
        m = re.search(rx, text, re.M)
        assert m, f"{rx!r} not in {text!r}"
        return int(m.group(1))

    utc = hour(r"^\*\w{3} [ \d]\d (\d\d):.*%SYS-5-CONFIG_I", res.records[4].output)
    local = hour(r"^\*(\d\d):\d\d:\d\d\.\d{3} PST ", res.records[5].output)
    assert (utc - 8) % 24 == local, res.describe()
    stamped = hour(r"^\*\w{3} [ \d]\d (\d\d):\d\d:\d\d\.\d{3} PST: %SYS-5-CONFIG_I",
                   res.records[8].output)
    assert stamped == hour(r"^\*(\d\d):", res.records[9].output), res.describe()


def test_configure_terminal_banner():
    res = run(["enable", "configure terminal", ""])
    all_echoed(res)
    assert res.records[1].lines() == [BANNER]
    assert last_prompt(res) == "Router(config)#"


def test_conf_t_abbreviation():
    res = run(["en", "conf t", ""])
    all_echoed(res)
    assert res.records[1].lines() == [BANNER]
    assert last_prompt(res) == "Router(config)#"


IPC = ["ipc zone default", "association 1", "protocol sctp"]
MODES = [
    ("config", [], "config"),
    ("config-if", ["interface FastEthernet0/0"], "config-if"),
    ("config-subif", ["interface FastEthernet0/0.100"], "config-subif"),
    ("config-line", ["line con 0"], "config-line"),
    ("config-red", ["redundancy"], "config-red"),
    ("config-red-interdevice", ["redundancy inter-device"], "config-red-interdevice"),
    ("config-ipczone", IPC[:1], "config-ipczone"),
    ("config-ipczone-assoc", IPC[:2], "config-ipczone-assoc"),
    ("config-ipc-protocol-sctp", IPC, "config-ipc-protocol-sctp"),
    ("config-ipc-local-sctp", IPC + ["local-port 5000"], "config-ipc-local-sctp"),
    ("config-ipc-remote-sctp", IPC + ["remote-port 5000"], "config-ipc-remote-sctp"),
    ("config-isakmp", ["crypto isakmp policy 1"], "config-isakmp"),
    ("config-isakmp-group", ["crypto isakmp client configuration group unity"],
     "config-isakmp-group"),
    ("conf-isa-prof", ["crypto isakmp profile PROF"], "conf-isa-prof"),
    ("cfg-crypto-trans", ["crypto ipsec transform-set T esp-3des esp-sha-hmac"],
     "cfg-crypto-trans"),
    ("ipsec-profile", ["crypto ipsec profile P"], "ipsec-profile"),
    ("config-crypto-map", ["crypto map M 10 ipsec-isakmp"], "config-crypto-map"),
    ("config-crypto-map-dynamic", ["crypto dynamic-map D 10"], "config-crypto-map"),
    ("config-ext-nacl", ["ip access-list extended A"], "config-ext-nacl"),
    ("config-std-nacl", ["ip access-list standard S"], "config-std-nacl"),
    ("config-track", ["track 1 interface FastEthernet0/0 line-protocol"], "config-track"),
    ("config-router", ["router ospf 1"], "config-router"),
    ("config-cp", ["control-plane"], "config-cp"),
    ("config-archive", ["archive"], "config-archive"),
    ("config-archive-log-cfg", ["archive", "log config"], "config-archive-log-cfg"),
    ("config-voicecard", ["voice-card 0"], "config-voicecard"),
]


@pytest.mark.parametrize("lines,mode", [pytest.param(l, m, id=i) for i, l, m in MODES])
def test_mode_prompt(lines, mode):
    res = run(conf(*lines, ""))
    all_echoed(res)
    no_errors(res)
    assert last_prompt(res) == f"Router({mode})#"


def test_new_crypto_map_note():
    res = run(conf("crypto map M 10 ipsec-isakmp", ""))
    assert res.records[2].lines() == [
        "% NOTE: This new crypto map will remain disabled until a peer",
        "        and a valid access list have been configured."]


# ---- abbreviations ----------------------------------------------------------------

def test_abbreviations():
    res = run(["en", "conf t", "int f0/0", "ip addr 10.0.0.1 255.255.255.0",
               "hostn R5", "end", "sh run"])
    all_echoed(res)
    no_errors(res)
    assert res.records[3].prompt == "Router(config-if)#"
    assert res.records[6].prompt == "R5#"
    sr = iosim.showrun(res.records[6].output)
    assert sr, res.records[6].output
    assert "hostname R5\n" in sr.body
    assert "interface FastEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n" in sr.body


def test_interface_name_forms_are_one_interface():
    res = run(conf("interface FastEthernet 0/0", "description one", "exit",
                   "interface fastethernet0/0", "exit", "int fa0/0", "end",
                   "show running-config | include ^interface"))
    no_errors(res)
    assert res.records[-1].lines() == ["interface FastEthernet0/0"]


# ---- ? help ------------------------------------------------------------------------

def test_help_one_keyword():
    res = run(conf(*IPC[:2], "protocol ?"))
    assert help_lines(res.records[-1]) == ["  sctp  SCTP transport configuration"]


def test_help_number_range():
    res = run(conf("interface FastEthernet0/0", "standby 1 priority ?"))
    assert help_lines(res.records[-1]) == ["  <0-255>  Priority value"]


def test_help_cr_only():
    res = run(conf("hostname R1 ?"))
    assert help_lines(res.records[-1]) == ["  <cr>"]


def test_help_word():
    res = run(conf("hostname ?"))
    assert help_lines(res.records[-1]) == ["  WORD  This system's network name"]


def two_column(lines):
    """Check IOS's two-column help format; returns {keyword: help}."""
    assert lines, "no help listing"
    rows = []
    for l in lines:
        m = re.fullmatch(r"  (\S+)(?:( +)(\S.*))?", l)
        assert m, f"not a help line: {l!r}"
        rows.append((m.group(1), m.group(3), len("  " + m.group(1) + (m.group(2) or ""))))
    width = max(len(k) for k, _, _ in rows if k != "<cr>")
    for k, h, col in rows:
        if h is not None:
            assert col == 2 + width + 2, (f"help of {k!r} starts at column {col}, "
                                          f"expected {2 + width + 2}:\n" + "\n".join(lines))
    return {k: h for k, h, _ in rows}


def test_help_show_two_columns():
    res = run(["enable", "show ?"])
    rows = two_column(help_lines(res.records[-1]))
    assert rows.get("running-config") == "Current operating configuration"
    assert "<cr>" not in rows, "`show` alone is not a complete command"


def test_help_user_exec_lists_enable():
    res = run(["?"])
    rows = two_column(help_lines(res.records[-1]))
    assert rows.get("enable") == "Turn on privileged commands"


def test_help_cr_last():
    res = run(["enable", "show running-config ?"])
    lines = help_lines(res.records[-1])
    rows = two_column(lines)
    assert lines[-1] == "  <cr>"
    assert rows.get("|") == "Output modifiers"


def test_help_pipe_modifiers():
    res = run(["enable", "show running-config | ?"])
    rows = two_column(help_lines(res.records[-1]))
    want = {"begin": "Begin with the line that matches",
            "count": "Count number of lines which match regexp",
            "exclude": "Exclude lines that match",
            "include": "Include lines that match",
            "section": "Filter a section of output"}
    assert {k: rows.get(k) for k in want} == want


# ---- errors: caret, incomplete, ambiguous ---------------------------------------------

def test_caret_config():
    res = run(conf("logging 0255.255.1"))
    r = res.records[-1]
    assert r.prompt == "Router(config)#"
    assert r.output == caret_error(r.prompt, len("logging "))


def test_caret_exec():
    res = run(["enable", "show runnig-config"])
    r = res.records[-1]
    assert r.output == caret_error("Router#", len("show "))


def test_caret_out_of_range():
    res = run(conf("interface FastEthernet0/0", "standby 1 priority 300", ""))
    r = res.records[3]
    assert r.output == caret_error(r.prompt, len("standby 1 priority "))
    assert last_prompt(res) == "Router(config-if)#"


def test_caret_first_word():
    res = run(conf("foo bar"))
    r = res.records[-1]
    assert r.output == caret_error(r.prompt, 0)


def test_caret_trailing_word():
    res = run(conf("hostname R1 extra", ""))
    r = res.records[2]
    assert r.output == caret_error(r.prompt, len("hostname R1 "))
    assert last_prompt(res) == "Router(config)#", "a rejected line changes nothing"


def test_caret_privileged_command_in_user_exec():
    res = run(["configure terminal", ""])
    r = res.records[0]
    assert r.errors() == ["invalid"], r.output
    assert r.caret_column() == len("Router>")
    assert last_prompt(res) == "Router>"


def test_incomplete():
    res = run(conf("logging"))
    assert res.records[-1].output == MSG_INCOMPLETE + "\n\n"


def test_incomplete_submode():
    res = run(conf("interface FastEthernet0/0", "standby 1 priority", ""))
    assert res.records[3].output == MSG_INCOMPLETE + "\n\n"
    assert last_prompt(res) == "Router(config-if)#"


def test_incomplete_interface():
    res = run(conf("interface", ""))
    assert res.records[2].output == MSG_INCOMPLETE + "\n\n"
    assert last_prompt(res) == "Router(config)#"


def test_ambiguous():
    res = run(conf("a"))
    # No blank line after this one (real IOS transcripts: the next prompt follows).
    assert res.records[-1].output == '% Ambiguous command:  "a"\n'


def test_ambiguous_second_word():
    res = run(conf("crypto i"))
    assert res.records[-1].output == '% Ambiguous command:  "crypto i"\n'


def test_unknown_exec_word():
    res = run(["enable", "foo", ""])
    assert UNKNOWN in res.records[1].output
    assert last_prompt(res) == "Router#"


def test_not_a_command_in_submode_or_parents():
    # 000 Table 2 Step 13's corrupted example: `ip address` exists in no mode
    # from (config-ipc-local-sctp) up, so it is rejected and the mode stays.
    res = run(conf(*IPC, "local-port 5000",
                   "ip address 209.165.201.1 255.255.255.224", ""))
    assert res.records[-2].errors() == ["invalid"], res.records[-2].output
    assert last_prompt(res) == "Router(config-ipc-local-sctp)#"


# ---- exit, end, Ctrl-Z --------------------------------------------------------------

def test_exit_walks_up_one_level():
    res = run(conf(*IPC, "local-port 5000", "exit", "exit", "exit", "exit", "exit", ""))
    all_echoed(res)
    no_errors(res)
    prompts = [r.prompt for r in res.records[-6:]]
    assert prompts == ["Router(config-ipc-local-sctp)#", "Router(config-ipc-protocol-sctp)#",
                       "Router(config-ipczone-assoc)#", "Router(config-ipczone)#",
                       "Router(config)#", "Router#"]


def test_end_from_submode_logs_config_i():
    res = run(conf("interface FastEthernet0/0", "end", ""))
    all_echoed(res)
    assert last_prompt(res) == "Router#"
    at = res.stdout.find("Router(config-if)#end\n")
    assert at >= 0, res.stdout
    assert CONFIG_I.search(res.stdout[at:]), res.stdout


def test_end_from_global_config():
    res = run(conf("end", ""))
    assert last_prompt(res) == "Router#"
    assert CONFIG_I.search(res.stdout), res.stdout


def test_ctrl_z_is_end():
    res = run(conf("interface FastEthernet0/0", "\x1a", ""))
    assert last_prompt(res) == "Router#"
    assert CONFIG_I.search(res.stdout), res.stdout


# ---- parent-mode fall-through -----------------------------------------------------------

def test_fallthrough_global_command_from_interface():
    res = run(conf("interface FastEthernet0/0", "hostname R9", ""))
    no_errors(res)
    assert last_prompt(res) == "R9(config)#"


def test_fallthrough_to_another_interface():
    res = run(conf("interface FastEthernet0/0", "ip address 10.0.0.1 255.255.255.0",
                   "interface FastEthernet0/1", "ip address 10.1.0.1 255.255.255.0",
                   "end", "show running-config"))
    no_errors(res)
    assert res.records[5].prompt == "Router(config-if)#"
    sr = iosim.showrun(res.records[-1].output)
    assert sr
    assert "interface FastEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n" in sr.body
    assert "interface FastEthernet0/1\n ip address 10.1.0.1 255.255.255.0\n" in sr.body


def test_fallthrough_to_sibling_submode():
    res = run(conf(*IPC, "local-port 5000", "local-ip 10.0.0.1", "remote-port 5000", ""))
    no_errors(res)
    assert last_prompt(res) == "Router(config-ipc-remote-sctp)#"


def test_fallthrough_from_deep_submode_to_global():
    res = run(conf(*IPC, "remote-port 5000", "crypto isakmp policy 1", ""))
    no_errors(res)
    assert last_prompt(res) == "Router(config-isakmp)#"


def test_fallthrough_crypto_map_to_interface():
    res = run(conf("crypto map M 10 ipsec-isakmp", "set peer 10.0.0.2",
                   "interface FastEthernet0/0", ""))
    no_errors(res)
    assert last_prompt(res) == "Router(config-if)#"


# ---- do -------------------------------------------------------------------------------

def test_do_show_in_config():
    res = run(conf("hostname R2", "do show running-config", ""))
    no_errors(res)
    sr = iosim.showrun(res.records[3].output)
    assert sr and "hostname R2\n" in sr.body, res.records[3].output
    assert last_prompt(res) == "R2(config)#"


def test_do_in_submode_with_pipe():
    res = run(conf("interface FastEthernet0/0", "do show running-config | include ^interface", ""))
    no_errors(res)
    assert res.records[3].lines() == ["interface FastEthernet0/0"]
    assert last_prompt(res) == "Router(config-if)#"


def test_do_is_not_stored():
    res = run(conf("do show running-config", "end", "show running-config | include ^ *do [a-z]"))
    assert res.records[-1].lines() == []


# ---- output modifiers ---------------------------------------------------------------------

PIPE_CONFIG = ["hostname PIPE",
               "interface FastEthernet0/0", "ip address 10.0.0.1 255.255.255.0",
               "standby 1 ip 10.0.0.3", "standby 1 priority 110",
               "interface FastEthernet0/1", "ip address 10.1.0.1 255.255.255.0",
               "standby 2 ip 10.1.0.3",
               "ip route 0.0.0.0 0.0.0.0 10.0.0.254"]


@pytest.fixture(scope="module")
def piped():
    """One router, the unfiltered show-run and each filtered one."""
    filters = ["include standby", "include ^ standby 1 [ip]", "exclude !", "begin interface",
               "section interface", "count standby", "count ^interface"]
    res = iosim.run(conf(*PIPE_CONFIG, "end", "show running-config",
                         *[f"show running-config | {f}" for f in filters]))
    assert not res.problems(), res.describe()
    full = res.records[len(PIPE_CONFIG) + 3]
    assert iosim.showrun(full.output), full.output
    out = {f: res.records[len(PIPE_CONFIG) + 4 + i] for i, f in enumerate(filters)}
    return full.lines(), out, res


def _strip_trailing_blank(lines):
    lines = list(lines)
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def test_pipe_include(piped):
    full, out, _ = piped
    want = [l for l in full if re.search("standby", l)]
    assert len(want) == 3
    assert out["include standby"].lines() == want


def test_pipe_include_regex(piped):
    full, out, _ = piped
    want = [l for l in full if re.search("^ standby 1 [ip]", l)]
    assert want == [" standby 1 ip 10.0.0.3", " standby 1 priority 110"]
    assert out["include ^ standby 1 [ip]"].lines() == want


def test_pipe_exclude(piped):
    full, out, _ = piped
    got = out["exclude !"].lines()
    assert _strip_trailing_blank(got) == _strip_trailing_blank(
        [l for l in full if "!" not in l])
    assert "hostname PIPE" in got and "end" in got


def test_pipe_begin(piped):
    full, out, _ = piped
    i = next(k for k, l in enumerate(full) if re.search("interface", l))
    assert _strip_trailing_blank(out["begin interface"].lines()) == _strip_trailing_blank(full[i:])


def test_pipe_section(piped):
    full, out, _ = piped
    want, keep = [], False
    for l in full:
        if l and not l.startswith(" "):
            keep = bool(re.search("interface", l))
        elif not l:
            keep = False
        if keep:
            want.append(l)
    assert want[0] == "interface FastEthernet0/0"
    assert out["section interface"].lines() == want


def test_pipe_count(piped):
    full, out, _ = piped
    n = sum(1 for l in full if re.search("standby", l))
    assert out["count standby"].lines() == [f"Number of lines which match regexp = {n}"]
    assert out["count ^interface"].lines() == ["Number of lines which match regexp = 2"]


# ---- show running-config framing --------------------------------------------------------

def test_show_running_config_framing():
    res = run(["enable", "show running-config"])
    out = res.records[-1].output
    assert re.match(r"Building configuration\.\.\.\n\nCurrent configuration : \d+ bytes\n!\n",
                    out), out
    sr = iosim.showrun(out)
    assert sr and sr.body.endswith("\nend\n")


def test_show_running_config_byte_count_is_body_length():
    # INVALID.md counts from the `!` after the header through `end`.
    res = run(conf(*PIPE_CONFIG, "end", "show running-config"))
    sr = iosim.showrun(res.records[-1].output)
    assert sr
    assert sr.byte_count == len(sr.body.encode()), sr.text


# ---- history, enable secret, hostname ---------------------------------------------------------

def test_show_history():
    res = run(["enable", "show running-config | count x", "show history"])
    lines = res.records[-1].lines()
    assert lines[-2:] == ["  show running-config | count x", "  show history"], lines


def test_enable_secret_asks_password():
    res = run(conf("enable secret cisco", "end", "disable", "enable", "cisco",
                   "show running-config | include ^enable", ""))
    recs = res.records
    assert recs[4].prompt == "Router#" and recs[5].prompt == "Router>", \
        [(r.prompt, r.line) for r in recs]
    assert "Password: " in recs[5].output, recs[5].output
    assert "Password: cisco" not in res.stdout, "the password must not be echoed"
    show = res.record("show running-config | include ^enable")
    assert show.prompt == "Router#", res.stdout
    assert last_prompt(res) == "Router#"


def test_enable_secret_shown_as_type_5():
    # The seeds are 12.3/12.4 images: `enable secret` stores an MD5-crypt hash,
    # printed as type 5 (types 8/9 arrived with 15.3).
    res = run(conf("enable secret cisco", "end", "show running-config | include ^enable"))
    lines = res.records[-1].lines()
    assert len(lines) == 1 and re.fullmatch(r"enable secret 5 \$1\$[./0-9A-Za-z]{1,8}"
                                            r"\$[./0-9A-Za-z]{22}", lines[0]), lines


def test_enable_wrong_password():
    res = run(conf("enable secret cisco", "end", "disable", "enable", "nope1", "nope2",
                   "nope3", ""))
    assert res.stdout.count("Password: ") == 3, res.stdout
    assert "% Bad secrets" in res.stdout
    assert last_prompt(res) == "Router>"


def test_hostname_and_no_hostname():
    res = run(conf("hostname R1", "no hostname", "hostname R2", "end",
                   "show running-config | include ^hostname"))
    no_errors(res)
    assert [r.prompt for r in res.records[2:6]] == [
        "Router(config)#", "R1(config)#", "Router(config)#", "R2(config)#"]
    assert res.records[-1].lines() == ["hostname R2"]


def test_terminal_length_accepted():
    res = run(["enable", "terminal length 0", ""])
    assert res.records[1].output == ""


# ---- bad input never crashes -----------------------------------------------------------------

AFTER = ["hostname AFTER", "do show running-config | include ^hostname", ""]


def survives(res, bad_index):
    """The router still works after the bad line at BAD_INDEX; returns the
    IOS errors the bad line drew (looked for in the nearest echoed record's
    output when the bad line's echo is not recognisable)."""
    assert not res.problems(), "; ".join(res.problems()) + "\n" + res.describe()
    assert res.records[-2].prompt == "AFTER(config)#", res.describe()
    assert res.records[-2].lines() == ["hostname AFTER"]
    k = bad_index
    while k > 0 and not res.records[k].echoed:
        k -= 1
    return res.records[k].errors()


def test_100kb_line_config():
    res = iosim.run(conf("x " * 50_000, *AFTER))
    assert survives(res, 2) == ["invalid"]


def test_100kb_word_exec():
    res = iosim.run(["enable", "show " + "x" * 100_000, "configure terminal", *AFTER])
    assert survives(res, 1) == ["invalid"]


def test_100kb_line_submode():
    res = iosim.run(conf("interface FastEthernet0/0", "standby 1 ip " + "1" * 100_000,
                         *AFTER))
    assert survives(res, 3) == ["invalid"]


@pytest.mark.parametrize("bad", [
    pytest.param("\x1c\x1d\x1e\x1f", id="separators"),
    pytest.param("show \x1f running-config", id="in-word"),
    pytest.param("\x1b[A\x1b[B", id="escape"),
])
def test_control_characters_draw_error(bad):
    res = iosim.run(conf(bad, *AFTER))
    assert survives(res, 2), "a line of control characters must draw an IOS error"


@pytest.mark.parametrize("bad", [
    # Every C0 control except the ones a console gives a meaning (Ctrl-C and
    # Ctrl-Z end configuration mode, CR/LF end the line).
    pytest.param("".join(chr(c) for c in range(1, 32) if c not in (3, 10, 13, 26)),
                 id="c0-all"),
    pytest.param("\x00", id="nul"),
    pytest.param("host\x00name X", id="nul-in-line"),
    pytest.param("\x7f\x7f\x7f", id="del"),
])
def test_control_characters_survive(bad):
    survives(iosim.run(conf(bad, *AFTER)), 2)


@pytest.mark.parametrize("bad", [
    pytest.param(b"\xff\xfe\xfd", id="ff-fe-fd"),
    pytest.param(b"\xc3\x28 \xa0\xa1", id="bad-utf8"),
    pytest.param(b"interface \xe2\x82", id="truncated-utf8"),
])
def test_non_utf8_draws_error(bad):
    res = iosim.run(conf(bad, *AFTER))
    assert survives(res, 2), "non-UTF-8 input must draw an IOS error"


def test_empty_and_blank_lines():
    res = run(conf("", "   ", ""))
    no_errors(res)
    assert last_prompt(res) == "Router(config)#"


# ---- command line: --config, --nvram ----------------------------------------------------------------

def test_config_missing_file(tmp_path):
    missing = tmp_path / "no-such-dir" / "missing.cfg"
    res = run(["enable", "show running-config"], args=["--config", missing])
    both = res.stdout + res.stderr
    assert str(missing) in both, "the message must name the file\n" + res.describe()
    assert re.search(r"(?i)no such file|not found|cannot open|error opening", both), both
    assert res.records[0].prompt == "Router>", res.describe()
    assert iosim.showrun(res.records[-1].output), res.describe()


def test_config_file_boots(tmp_path):
    cfg = tmp_path / "boot.cfg"
    cfg.write_text("hostname CFG\n!\ninterface FastEthernet0/0\n"
                   " ip address 10.0.0.1 255.255.255.0\n!\nend\n")
    res = run(["enable", "show running-config"], args=["--config", cfg])
    assert res.records[0].prompt == "CFG>"
    sr = iosim.showrun(res.records[-1].output)
    assert sr and "interface FastEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n" in sr.body


def test_config_file_refused_lines_print_as_typed(tmp_path):
    """A line a handler refuses at boot prints what it prints at the
    console (IOS's own message, not a parser error), under the line."""
    cfg = tmp_path / "boot.cfg"
    cfg.write_text("interface Ethernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
                   " standby 1 ip 127.0.0.1\n standby 2 ip 10.0.0.3\n"
                   "interface Serial0/0\n standby 1 ip 10.0.0.4\nend\n")
    res = run(["enable", "show running-config | include standby"],
              args=["--config", cfg])
    boot = res.stdout.split("Router>")[0]
    assert ("Router(config-if)# standby 1 ip 127.0.0.1\n"
            "Standby: Not a valid host address - 127.0.0.1\n") in boot, boot
    assert ("Router(config-if)# standby 1 ip 10.0.0.4\n"
            "Standby: Interface Serial0/0 cannot support hot standby protocol\n") in boot, boot
    assert "standby 2 ip 10.0.0.3" not in boot, "an accepted line printed"
    assert res.records[-1].lines() == [" standby 2 ip 10.0.0.3"], res.describe()


def test_nvram_write_memory_and_boot(tmp_path):
    res = run(conf("hostname SAVED", "end", "write memory"), args=["--nvram", tmp_path])
    assert res.records[-1].lines() == ["Building configuration...", "[OK]"]
    res2 = run(["enable", "show running-config | include ^hostname"],
               args=["--nvram", tmp_path])
    assert res2.records[0].prompt == "SAVED>"
    assert res2.records[-1].lines() == ["hostname SAVED"]

"""Every sentence a clerk, an applicant (on the receipt) or branch IT reads, in one place.

Simplified Chinese, keyed by a stable id (``area.what``); placeholders are named
(``{version}``), never positional, so a reviewer sees what goes where. Code refers to
ids through :func:`text`; English for logs and the command line stays beside the code
that writes it. A test fails on a Chinese literal anywhere else in the runtime package.

Why a module and not a gettext ``zh_CN`` catalogue: the box speaks one language, the
reviewers (branch IT, the hall's managers) read one file, and a missing id fails in the
tests instead of silently falling back to the id.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # --- shared -----------------------------------------------------------------------
    "common.call_it": "请联系网建办",
    # --- devices, diagnostics, updates, provisioning, receipts (outside ui/) ------------
    # The printer's state, as 系统诊断 and the readiness slip name it.
    "printer.ready": "打印机就绪",
    "printer.paper_out": "打印机缺纸：请装入热敏纸",
    "printer.cover_open": "打印机盖未关好：请合上",
    "printer.offline": "打印机未连接：请检查打印机电源和USB线",
    "printer.no_answer": "打印机没有应答：请检查打印机电源和连接线",
    "printer.fault": "打印机故障（切刀卡纸等）：请关闭打印机电源再打开",
    "printer.other": "打印机异常：请联系网建办",
    # A receipt that did not print; {button} is the button the clerk taps to print again.
    "print.button_print": "打印回执",
    "print.button_reprint": "重新打印",
    "print.paper_out": "打印机缺纸：请装入热敏纸后点击“{button}”重新打印",
    "print.cover_open": "打印机盖未关好：请合上后点击“{button}”重新打印",
    "print.unknown": "无法读取打印机状态：请检查打印机后重试",
    "print.fault": "打印机故障（切刀卡纸等）：请关闭打印机电源再打开，然后重新打印",
    "print.interrupted": "回执未打印完整，请撕下不完整的回执；{problem}",
    # 待打印回执: one line per receipt never printed, and why.
    "owed.line": "{receipt}　{item}　{applicant}　{accepted:%m-%d %H:%M}受理（{why}）",
    "owed.paper_out": "缺纸",
    "owed.cover_open": "打印机开盖",
    "owed.offline": "打印机未连接",
    "owed.unknown": "打印机无应答",
    "owed.fault": "打印机故障",
    "owed.not_printed": "未打印",
    # The acceptance receipt (办件回执) the applicant takes home.
    "receipt.title": "办件回执",
    "receipt.footer": "请妥善保管本回执，凭回执号查询办理进度",
    "receipt.offline": "离线受理，待同步",
    "receipt.row": "{label}：",
    "receipt.number": "回执编号",
    "receipt.item_name": "事项名称",
    "receipt.item_code": "事项编码",
    "receipt.item_type": "事项类型",
    "receipt.applicant": "办 事 人",
    "receipt.id_type": "证件类型",
    "receipt.id_number": "证件号码",
    "receipt.appointment": "预约编号",
    "receipt.accepted_at": "受理时间",
    "receipt.promised": "承诺办结",
    "receipt.window_label": "受理窗口",
    "receipt.window": "{window}号窗口",
    "receipt.operator": "受理人员",
    # 事项类型, recorded for the hall's statistics and printed on the receipt.
    "item_type.branch": "中山分厅待办",
    "item_type.department": "部门内部系统",
    # Identity documents: their names, and why a number typed at the counter is refused.
    "document.resident_id": "居民身份证",
    "document.credit_code": "统一社会信用代码",
    "document.hk_macao_permit": "港澳居民来往内地通行证",
    "document.taiwan_permit": "台湾居民来往大陆通行证",
    "document.residence_permit": "港澳台居民居住证",
    "document.foreign_permanent_id": "外国人永久居留身份证",
    "document.passport": "护照",
    "document.male": "男",
    "document.female": "女",
    "document.empty": "请输入证件号码",
    "document.length": "证件号码长度应为{expected}位，当前为{actual}位",
    "document.length_either": "证件号码长度应为{first}位或{second}位，当前为{actual}位",
    "document.length_range": "证件号码长度应为5至17位，当前为{actual}位",
    "document.id_body_char": "证件号码第{position}位“{char}”无效：前17位应为数字",
    "document.id_check_char": "证件号码第{position}位“{char}”无效：最后一位应为数字或X",
    "document.credit_char": "证件号码第{position}位“{char}”无效："
    "统一社会信用代码只用数字和大写字母，不用I、O、S、V、Z",
    "document.hk_macao_char": "证件号码第{position}位“{char}”无效：H或M之后应为数字",
    "document.taiwan_char": "证件号码第{position}位“{char}”无效：台胞证号码应为8位数字",
    "document.foreign_old_letter": "证件号码第{position}位“{char}”无效："
    "旧版号码前3位应为字母（国籍代码）",
    "document.foreign_old_digit": "证件号码第{position}位“{char}”无效：旧版号码后12位应为数字",
    "document.passport_char": "证件号码第{position}位“{char}”无效：护照号码只能包含字母和数字",
    "document.check_digit": "校验位错误：最后一位应为{expected}，请逐位核对证件号码",
    "document.birth_invalid": "出生日期无效：{digits}",
    "document.birth_future": "出生日期不能晚于今天",
    "document.birth_too_early": "出生日期不能早于1900年：{digits}",
    "document.other_type": "这是{label}号码，请将证件类型改选为“{label}”",
    "document.old_resident_id": "这是15位旧身份证号码，请使用18位新号码",
    "document.province": "地址码无效：前两位“{province}”不是省级行政区划代码",
    "document.residence_permit_region": "地址码无效：港澳台居民居住证号码应以810000（香港）、"
    "820000（澳门）或830000（台湾）开头",
    "document.credit_region": "登记管理机关行政区划码（第3至8位）无效：{region}",
    "document.credit_authority": "登记管理部门代码（第1位）无效：{authority}",
    "document.credit_organisation": "机构类别代码（第2位）无效："
    "登记管理部门代码为{authority}时应为{types}",
    "document.list_separator": "、",  # between the allowed codes in {types} above
    "document.hk_macao_prefix": "港澳居民来往内地通行证号码应以H（香港）或M（澳门）开头",
    "document.taiwan_booklet": "这是已停用的旧版本式台胞证号码，"
    "请使用卡式台胞证上的8位号码（不含签发次数）",
    "document.foreign_prefix": "18位外国人永久居留身份证号码应以9开头",
    "document.foreign_region": "受理地代码（第2至3位）无效：{code}",
    # Looking an item up and taking the applicant's details at the counter.
    "acceptance.unreadable_ticket": "无法识别的条码",
    "acceptance.ticket_without_item": "该叫号纸未注明服务事项，请按服务事项查询",
    "acceptance.unknown_item": "服务事项 {code} 不在事项目录中，请按服务事项查询",
    "acceptance.name_empty": "请输入办事人姓名",
    "acceptance.name_too_long": "姓名不能超过{limit}个字",
    "acceptance.phone_invalid": "手机号码应为以1开头的11位数字",
    "acceptance.not_logged_in": "请先插入电子钥匙并登录",
    "acceptance.other_operator": "该电子钥匙不是当前登录的操作员，请重新登录",
    # A card read on the ID card reader that is not valid today (idcard.expired or
    # idcard.not_yet_valid as {validity}); {button} is idcard.accept_anyway.
    "acceptance.card_not_valid": "{validity}：请核对证件，如确需受理请点击“{button}”",
    # Appointments found by number (in the cache, else asked online).
    "appointment.waiting": "本机未找到该预约，正在联网查询…",
    "appointment.offline": "本机未找到该预约编号，网络不通，无法在线查询："
    "请核对编号，或按服务事项查询",
    "appointment.unknown": "未找到该预约编号，请核对叫号纸或短信上的编号后重新输入",
    "appointment.used": "该预约已受理过，不能重复使用；如需再次办理请按服务事项查询",
    "appointment.expired": "该预约已过期（预约日期{day:%Y年%m月%d日}），请按服务事项查询办理",
    "appointment.other_hall": "该预约属于{hall}，不能在本厅受理",
    # A submission that could not be stored; nothing was submitted or printed.
    "submission.disk_full": "本机存储空间已满，本件未提交、未打印回执："
    "请联系网建办清理存储空间后再提交",
    "submission.key_gone": "电子钥匙无法签名，本件未提交、未打印回执："
    "请插好电子钥匙重新登录后再提交",
    # A kept draft (issue 18): told once the clerk is logged in. {rule} is draft.rule_*.
    "draft.restored": "已恢复上次未提交的受理，请核对后继续；未提交的受理{rule}自动清除",
    "draft.rule_day": "在当天结束时",
    "draft.rule_hours": "保存{hours}小时后",
    "draft.purged": "上次未提交的受理（{saved:%m月%d日 %H:%M}保存）已超过保留时间，"
    "连同所录证件号码已自动清除",
    "submission.draft_disk_full": "本机存储空间已满，无法保存受理进度、不能提交："
    "请联系网建办清理存储空间",
    "submission.other_key": "插入的电子钥匙不是当前登录的操作员，本件未提交："
    "请用本人电子钥匙重新登录后再提交",
    # The electronic key: the status bar, and the login screen's diagnosis of the key.
    "key.status": "电子钥匙：{state}",
    "key.state_detecting": "检测中",
    "key.state_ready": "已插入",
    "key.state_expiring": "即将过期",
    "key.state_pin_locked": "PIN已锁定",
    "key.state_expired": "已过期",
    "key.state_not_yet_valid": "未生效",
    "key.state_untrusted": "不受信任",
    "key.state_no_certificate": "无证书",
    "key.state_reading": "读取中",
    "key.state_no_driver": "未安装驱动",
    "key.state_not_detected": "未插入",
    "key.state_choose": "请选择",
    "key.state_key_mismatch": "私钥不匹配",
    "key.state_sm2_only": "国密证书",
    "key.state_driver_failed": "驱动无法启动",
    "key.vendor_jit": "吉大正元",
    "key.vendor_generic": "通用",
    "key.vendor_demo": "演示",
    "key.not_detected": "未检测到电子钥匙，请检查USB接口",
    "key.reading": "检测到{vendor}电子钥匙，正在读取…",
    "key.driver_not_recognised": "未安装电子钥匙驱动：检测到{vendor}电子钥匙，"
    "但驱动 {module} 未能识别该钥匙。请联系网建办安装驱动",
    "key.driver_missing": "未安装电子钥匙驱动：检测到{vendor}电子钥匙，"
    "但未找到驱动 {module}。请联系网建办安装驱动",
    "key.driver_unloadable": "未安装电子钥匙驱动：检测到{vendor}电子钥匙，"
    "但驱动 {module} 无法加载。请联系网建办安装驱动",
    "key.expired": "电子钥匙已过期（有效期至{until:%Y年%m月%d日}）："
    "请向网建办提交业务需求表办理电子钥匙更新",
    "key.not_yet_valid": "电子钥匙证书尚未生效（{since:%Y年%m月%d日}起生效）："
    "请核对本机时间，或联系网建办",
    "key.untrusted": "电子钥匙证书不是由受信任的机构签发（签发者：{issuer}），"
    "不能登录：请联系网建办",
    "key.pin_locked": "PIN码已锁定：请到网建办解锁电子钥匙",
    "key.pin_count_low": "PIN 即将锁定：已多次输错，请确认后再输入",
    "key.pin_final_try": "PIN 即将锁定：再输错一次电子钥匙将被锁定",
    "key.expiring": "电子钥匙将于{until:%Y年%m月%d日}过期（还剩{days}天）："
    "请向网建办提交业务需求表办理电子钥匙更新",
    "key.ready": "电子钥匙已插入，请输入PIN码",
    "key.choose": "检测到{count}把可以登录的电子钥匙：请点选要登录的电子钥匙，再输入PIN码",
    "key.driver_failed": "电子钥匙驱动无法启动：{vendor}驱动 {module} 已安装，"
    "但启动时报错（{error}）。请联系网建办检查驱动配置",
    "key.sm2_only": "电子钥匙中只有国密（SM2）证书，本机暂不支持国密证书登录：请联系网建办",
    # Logging in with the key and PIN: why it was refused.
    "login.key_mismatch": "电子钥匙中的私钥与证书不匹配，不能登录：请联系网建办",
    "login.no_private_key": "电子钥匙中没有与证书对应的私钥，不能登录：请联系网建办",
    "login.no_certificate": "电子钥匙中没有个人证书，不能登录：请联系网建办",
    "login.unsupported_key": "电子钥匙的证书类型不受支持：请联系网建办",
    "login.key_unusable": "电子钥匙不能登录：请查看上方提示，或联系网建办",
    "login.failed": "登录失败，请重试；如多次失败请联系网建办",
    "login.wrong_pin": "PIN码错误，请重新输入",
    "login.wrong_pin_warning": "PIN码错误，请重新输入（{warning}）",
    "login.wrong_pin_tries": "PIN码错误，请重新输入（还可以再试{tries}次）",
    "login.choose_first": "请先点选要登录的电子钥匙",
    "login.pin_locked": "PIN码已锁定：请联系网建办解锁电子钥匙",
    "login.key_broken": "电子钥匙无法使用，请联系网建办",
    # 系统诊断's self-test: the checks' names, one line per check and the verdict.
    "check.font": "中文字体",
    "check.database": "数据库",
    "check.key": "电子钥匙",
    "check.key_reader": "钥匙驱动",
    "check.camera": "高拍仪",
    "check.printer": "打印机",
    "check.storage": "存储空间",
    "check.audit": "审计日志",
    "check.branch_server": "分厅服务器",
    "check.backlog": "待同步",
    "selftest.line": "{check}：{outcome} — {reason}",
    "selftest.passed": "通过",
    "selftest.failed": "失败",
    "selftest.skipped": "跳过",
    "selftest.all_passed": "自检结论：全部通过，可以受理",
    "selftest.some_failed": "自检结论：{failed} 项失败，见上",
    "selftest.offline": "本机离线，未检查",
    # A failure none of the reasons below explains: common.call_it and the English detail.
    "selftest.unexplained": "{call_it}（{detail}）",
    # The self-test's reasons: a failed check (with what to do) …
    "selftest.font_missing": "中文字体缺失，界面汉字无法显示：请联系网建办",
    "selftest.database_damaged": "数据库校验未通过，可能已损坏：请联系网建办",
    "selftest.key_expired_on": "电子钥匙证书已于{date}过期："
    "请向网建办提交业务需求表办理电子钥匙更新",
    "selftest.key_unreadable": "读不出电子钥匙的证书：请重新插入电子钥匙，仍不行请联系网建办",
    "selftest.key_reader_no_driver": "未安装电子钥匙驱动：请联系网建办安装驱动",
    "selftest.key_reader_expired": "电子钥匙已过期：请向网建办提交业务需求表办理电子钥匙更新",
    "selftest.key_reader_not_yet_valid": "电子钥匙证书尚未生效：请核对本机时间",
    "selftest.key_reader_untrusted": "电子钥匙证书不是由受信任的机构签发：请联系网建办",
    "selftest.key_reader_no_certificate": "电子钥匙中没有个人证书：请联系网建办",
    "selftest.key_reader_reading": "电子钥匙仍在读取中：请稍后再运行自检",
    "selftest.key_reader_driver_failed": "电子钥匙驱动已安装但无法启动：请联系网建办检查驱动配置",
    "selftest.key_reader_other": "钥匙驱动异常：请联系网建办",
    "selftest.camera_no_frame": "高拍仪没有画面：请检查高拍仪的USB线",
    "selftest.camera_no_qr": "高拍仪有画面，但识别不出测试卡上的二维码：请联系网建办",
    "selftest.storage_low": "存储空间不足（剩余 {free} GB）：请联系网建办清理",
    "selftest.audit_broken": "审计日志第 {entry} 条起校验失败，可能被改动：请联系网建办",
    "selftest.server_unreachable": "连不上分厅服务器：请检查网线；"
    "受理照常，办件保存在本机，恢复后自动同步",
    "selftest.server_no_token": "分厅服务器拒绝本机的授权：请联系网建办",
    "selftest.server_clock": "本机时间与分厅服务器相差 {skew} 秒：请联系网建办校准时间",
    "selftest.backlog_rejected": "有 {rejected} 件办件被分厅服务器退回：请联系网建办",
    "selftest.backlog_audit_refused": "审计记录被分厅服务器拒收：请联系网建办",
    # … and a passed one.
    "selftest.font_ok": "中文字体可用",
    "selftest.database_ok": "数据库校验正常",
    "selftest.key_ok": "电子钥匙证书有效，有效期至{until}",
    "selftest.key_reader_ok": "钥匙驱动已加载（{drivers}）",
    "selftest.camera_qr_ok": "高拍仪画面正常，识别出二维码",
    "selftest.camera_ok": "高拍仪画面正常",
    "selftest.storage_ok": "数据库 {database} MB，剩余空间 {free} GB",
    "selftest.audit_ok": "审计日志完整，共 {entries} 条",
    "selftest.server_ok_clock": "分厅服务器连接、授权正常，时间相差 {skew} 秒",
    "selftest.server_ok": "分厅服务器连接、授权正常",
    "selftest.backlog_ok": "待同步办件 {submissions} 件，待上报审计记录 {audit} 条",
    "selftest.ok": "正常",  # a pass none of the sentences above describes
    # 设备自检单: the readiness slip printed for branch IT.
    "slip.title": "设备自检单",
    "slip.window": "{hall} 窗口{window}",
    "slip.time": "时间：{at:%Y-%m-%d %H:%M}",
    "slip.check": "{check}：{outcome}",
    "slip.ok": "正常",
    "slip.fail": "故障",
    "slip.skip": "跳过",
    "slip.ready": "结论：可以受理",
    "slip.failed": "结论：有{failed}项故障，请联系网建办",
    # The status bar's network and backlog, and the audit chain's delivery (系统诊断).
    "sync.online": "网络：已连接",
    "sync.online_since": "网络：已连接　最近同步 {last}",
    "sync.offline": "网络：未连接",
    "sync.offline_since": "网络：未连接　最近同步 {last}",
    "sync.backlog": "待同步 {backlog} 件",
    "sync.backlog_rejected": "待同步 {backlog} 件　退回 {rejected} 件",
    "sync.audit_refused": "审计日志上报：分厅服务器拒收（本机记录与已上报的不一致），请联系网建办",
    "sync.audit_waiting": "审计日志待上报：{entries} 条",
    # `appliance audit verify-key`: the sealed audit log's verification key for 网建办
    # (issue 18), shown only until the branch server holds it.
    "audit.verify_key_slip": (
        "审计日志验证密钥（请网建办抄录保存，勿留在本机）：\n{verify_key}\n"
        "自第 {first_seq} 条审计记录起加封；分厅服务器收到后本机即删除此密钥。"
    ),
    "audit.verify_key_gone": "本机已不保存审计日志验证密钥：已交分厅服务器，请向网建办查询",
    # Root slots and updates (系统诊断); {slot}, {booted}: A or B; {summary}: one of the
    # update.slot_* sentences; {at}: when, as 2026-03-05 09:07.
    "update.unknown": "系统更新状态：未知（本次启动尚未记录）",
    "update.current": "当前系统：{summary}",
    "update.spare": "备用系统：{summary}",
    "update.not_from_slot": "当前系统：未从 A/B 槽启动",
    "update.slot_line": "系统槽：{summary}",
    "update.next_boot": "下次启动：{slot} 槽",
    "update.slot_empty": "{slot} 槽 空",
    "update.slot_blessed": "{slot} 槽 {version}（已确认）",
    "update.slot_failed": "{slot} 槽 {version}（启动失败，已停用）",
    "update.slot_trial": "{slot} 槽 {version}（试用中，还可试 {tries} 次）",
    "update.last_none": "上次更新：无",
    "update.last_install": "上次更新：版本 {version} 已写入 {slot} 槽，重启后试用　{at}",
    "update.last_refused": "上次更新：更新包被拒绝：{reason}　{at}",
    "update.last_blessed": "上次更新：版本 {version} 已确认（{slot} 槽）　{at}",
    "update.last_rollback": "上次更新：版本 {version} 启动失败，已自动回到 {booted} 槽　{at}",
    "update.last_other": "上次更新：{version}　{at}",
    # 设备初始化: the screen's words and why a provisioning bundle was refused.
    "provisioning.title": "设备初始化",
    "provisioning.not_set_up": "本机尚未初始化，暂不能受理业务。",
    "provisioning.instruction": "请插入网建办提供的初始化U盘，设备将自动读取并完成初始化。",
    "provisioning.devices": "设备状态：",
    "provisioning.refused": "上次初始化未成功：{reason}",
    "provisioning.applied": "初始化完成（{hall} {window}号窗口），正在重新启动…",
    "provisioning.unreadable": "无法读取初始化文件，请重新制作U盘",
    "provisioning.malformed": "初始化文件格式错误或已损坏，请联系网建办重新制作",
    "provisioning.unsigned": "初始化文件没有签名，已拒绝",
    "provisioning.wrong_key": "初始化文件不是用本机认可的密钥签名的，已拒绝",
    "provisioning.bad_signature": "初始化文件签名校验失败（文件可能被篡改），已拒绝",
    "provisioning.hash_mismatch": "初始化文件内容与签名不符（文件可能被篡改），已拒绝",
    "provisioning.not_newer": "初始化文件不比本机已安装的新（旧文件或重复使用），已拒绝",
    "provisioning.invalid_site": "初始化文件中的配置不符合要求，请联系网建办",
    "provisioning.no_public_key": "本机缺少初始化公钥，请联系网建办",
    "provisioning.write_failed": "初始化写入失败，请联系网建办",
    # The ID card reader (身份证阅读器): the status bar, 系统诊断's reasons, why a card laid
    # on it was not read, and the card's validity. {state}: one of the idcard.state_* words;
    # {status}: the module's three status bytes (00 00 24); {sam_id}: its security module id.
    "idcard.status": "身份证阅读器：{state}",
    "idcard.state_detecting": "检测中",
    "idcard.state_ready": "就绪",
    "idcard.state_absent": "未连接",
    "idcard.state_fault": "故障",
    "idcard.ready": "身份证阅读器就绪，安全模块号 {sam_id}",
    "idcard.not_found": "未检测到身份证阅读器：请检查阅读器的USB线",
    "idcard.ambiguous": "本机接有多个串口设备，无法确定哪个是身份证阅读器："
    "请联系网建办在配置中指定",
    "idcard.unavailable": "身份证阅读器无法打开（可能被其他程序占用）："
    "请重启本机，仍不行请联系网建办",
    "idcard.no_answer": "身份证阅读器没有应答：请拔下阅读器的USB线再插上，仍不行请联系网建办",
    "idcard.self_check_failed": "身份证阅读器安全模块自检失败（00 00 60）："
    "请联系网建办维修或更换阅读器",
    "idcard.unauthorised": "身份证阅读器安全模块未经授权（00 00 66），不能使用：请联系网建办",
    "idcard.fault": "身份证阅读器异常（状态 {status}）：请联系网建办",
    "idcard.read_failed": "读卡失败：请将证件拿开，再平放在阅读器上",
    "idcard.check_failed": "证件信息核验未通过：请将证件拿开再重新放置；"
    "仍不通过请手工录入并核对证件",
    "idcard.unknown_card": "无法识别该证件：请手工录入证件号码",
    "idcard.expired": "证件已过期（有效期至{until:%Y年%m月%d日}）",
    "idcard.not_yet_valid": "证件尚未生效（{since:%Y年%m月%d日}起有效）",
    "idcard.not_configured": "本机未配置身份证阅读器",
    "idcard.long_term": "长期",  # a valid-to with no end, as the card and its chip write it
    "idcard.accept_anyway": "仍然受理",  # the clerk's explicit choice for a card not valid today
    "check.id_reader": "身份证阅读器",
    # The command line's product name and example hall name (branch IT).
    "cli.product": "窗口受理一体机",
    "cli.hall_example": "广东省网上办事大厅中山分厅",
    # --- end of the outside-ui section ----------------------------------------------------
    # --- the kiosk's screens (ui/) ------------------------------------------------------
    # On more than one screen: 返回, and the keypads' and the keyboard's word keys. The
    # digits, the letters, the candidate bar's characters (data/name_chars.json) and the
    # name separator · are key caps, not wording, and stay in the code.
    "common.back": "返回",
    "keys.clear": "清除",
    "keys.backspace": "退格",
    # The status bar over every screen; the key, the network and the backlog are
    # key.status and sync.* (sync.backlog shows "…" until the first poll).
    "status.operator": "操作员：{name}",
    "status.no_operator": "操作员：未登录",
    "status.network_detecting": "网络：检测中",
    "status.camera": "摄像头：{state}",
    "status.camera_running": "预览中",
    "status.camera_stopped": "已停止",
    "status.camera_disconnected": "未连接",
    "status.printer": "打印机：{state}",
    "status.printer_ready": "就绪",
    "status.printer_paper_out": "缺纸",
    "status.printer_cover_open": "开盖",
    "status.printer_offline": "未连接",
    "status.printer_unknown": "状态未知",
    "status.printer_fault": "故障",
    # Any screen's message line, for a failure no sentence of its own explains. (The
    # window's title is the product's name, cli.product.)
    "kiosk.failed": "操作失败，请重试；如多次失败请联系网建办",
    # 电子钥匙登录 (what the key is: key.*; a refused PIN: login.*), and the PIN pad it
    # shares with 系统诊断.
    "login.title": "电子钥匙登录",
    "login.detecting": "正在检测电子钥匙…",
    "login.pin_prompt": "请输入电子钥匙PIN码：",
    "login.holder": "持有人：{name}　证书序列号：{serial}",
    "login.choice": "{name}（{vendor}，有效期至{until:%Y年%m月%d日}）",
    "login.idle_locked": "长时间未操作，已自动锁定，请重新输入PIN码",
    "pin.confirm": "确定",
    "pin.empty": "请输入PIN码",
    "pin.checking": "正在验证…",
    # 窗口受理, the home screen. The three look-ups are its big buttons, the titles of
    # their screens and the rows of 今日统计; 今日统计 and 系统诊断 are stats.title and
    # diagnostics.title.
    "home.title": "窗口受理",
    "lookup.qr": "二维码扫描",
    "lookup.appointment": "按预约编号",
    "lookup.search": "按服务事项查询",
    "home.owed": "待打印回执 {count} 件",
    "home.lock": "锁定",
    # 二维码扫描; {button} is the button named, scan.read or scan.start_preview.
    "scan.read": "获取条码",
    "scan.start_preview": "开始预览",
    "scan.stop_preview": "停止预览",
    "scan.instruction": "请将叫号纸放在高拍仪下，点击“{button}”",
    "scan.reading": "正在识别条码…",
    "scan.read_text": "已读取：{text}",
    "scan.retry": "请点击“{button}”后重新获取条码",
    # 按预约编号: the number is typed on the keypad.
    "appointment.prompt": "请输入叫号纸或短信上的预约编号：",
    "appointment.find": "查询",
    # 按服务事项查询: the results follow every keystroke.
    "search.hint": "事项名称、拼音首字母（如 gjj）或事项编码",
    "search.type_to_find": "输入后即时显示匹配的服务事项",
    "search.nothing_found": "没有找到相关事项，请换个关键词",
    # 事项详情; {promise} is item.promise_days or item.promise_now.
    "item.title": "事项详情",
    "item.name": "事项名称：{name}",
    "item.code": "事项编码：{code}",
    "item.department": "办理部门：{department}",
    "item.promise": "承诺时限：{promise}",
    "item.promise_days": "{days}个工作日",
    "item.promise_now": "即办",
    "item.queue_number": "叫号：{number}",
    "item.appointment": "预约编号：{number}",
    "item.booked_by": "预约人：{name}",
    "item.handle": "办理",
    # 事项类型: the title (and the row on 确认提交) is the receipt's label
    # receipt.item_type, the buttons item_type.*.
    "item_type.prompt": "请选择事项类型（仅用于统计）：",
    # 办事人信息录入: 证件类型 and 证件号码 are the receipt's labels (receipt.id_type,
    # receipt.id_number). The keyboard's candidate bar: {separator} is the key of the dot
    # in minority names (·).
    "applicant.title": "办事人信息录入",
    "applicant.name": "姓名",
    "applicant.phone": "手机号码（选填）",
    "applicant.next": "下一步",
    "applicant.pinyin_pending": "请先在候选栏中点选汉字，完成姓名输入",
    # A card laid on the ID card reader fills 姓名, 证件类型 and 证件号码 (still editable);
    # the message line then says what the card's check found. {document}: the card's
    # document type; {reason}: why its number fails (document.*); {validity}: idcard.expired
    # or idcard.not_yet_valid. A card not valid today is acceptance.card_not_valid.
    "applicant.card_read": "已读取{document}，证件在有效期内",
    "applicant.card_bad_number": "证件芯片号码有误（{reason}）",
    "applicant.card_accepted": "{validity}：已确认仍然受理",
    "keys.previous_page": "上页",
    "keys.next_page": "下页",
    "keys.pinyin": "拼音",
    "keys.pinyin_hint": "输入拼音后点选汉字；少数民族姓名中间的点请按“{separator}”",
    # 确认提交; {booked} is confirm.booked, or nothing without an appointment.
    "confirm.title": "确认提交",
    "confirm.item": "服务事项：{name}（{code}）",
    "confirm.department": "办理部门：{department}{booked}",
    "confirm.booked": "（预约编号 {number}）",
    "confirm.name": "姓名：{name}",
    "confirm.document": "证件：{document}  {number}",
    "confirm.phone": "手机号码：{phone}",
    "confirm.no_phone": "（未填）",
    # How the identity was checked, when the number is a card's read on the reader;
    # {validity}: idcard.expired or idcard.not_yet_valid.
    "confirm.card_valid": "证件核验：已读卡，证件在有效期内",
    "confirm.card_accepted": "证件核验：{validity}，窗口人员已确认仍然受理",
    "confirm.back": "返回修改",
    "confirm.submit": "提交并打印回执",
    # 受理成功: the buttons print.button_print and print.button_reprint; a submission not
    # yet on the branch server is receipt.offline, as on the receipt.
    "success.title": "受理成功",
    "success.receipt_number": "回执编号：{number}",
    "success.applicant": "办事人：{name}  {id_number}",
    "success.item": "服务事项：{name}",
    "success.synced": "已同步至分厅服务器",
    "success.copies": "已打印 {copies} 份",
    "success.not_printed": "尚未打印回执",
    "success.printed": "回执已打印，请交给办事人",
    "success.next": "下一位",
    # 今日统计: the table, the detail and the bar chart; {duration} is stats.seconds or
    # stats.minutes.
    "stats.title": "今日统计",
    "stats.total": "今日受理合计：{count} 件",
    "stats.item_type": "{item_type}：{count} 件",
    "stats.unprinted": "未打印回执：{count} 件",
    "stats.by_lookup": "按查找方式：",
    "stats.lookup": "　{lookup}：{count} 件",
    "stats.by_operator": "按操作员：",
    "stats.operator": "　{operator}：{count} 件",
    "stats.handling": "平均办理用时：",
    "stats.operator_handling": "　{operator}：{duration}",
    "stats.seconds": "{seconds:.0f} 秒",
    "stats.minutes": "{minutes:.1f} 分钟",
    "stats.bar": "{count} 件",
    # 系统诊断, for 网建办: locked behind the PIN pad, then the box's details and the
    # self-test (its lines: selftest.*); {button} is diagnostics.run; {problem} one of
    # printer.*.
    "diagnostics.title": "系统诊断",
    "diagnostics.locked": "系统诊断仅供网建办人员使用。\n请当前登录的操作员输入电子钥匙PIN码确认：",
    "diagnostics.version": "软件版本：{version}　配置文件：{config}",
    "diagnostics.hall": "大厅：{hall}　窗口：{window}",
    "diagnostics.operator": "操作员证书序列号：{serial}",
    "diagnostics.no_operator": "操作员证书序列号：未登录",
    "diagnostics.database": "数据库结构版本：{schema}　事项目录：{items} 项",
    "diagnostics.backlog": "待同步：{backlog} 件　分厅服务器：{url}",
    "diagnostics.audit_ok": "审计日志：完整",
    "diagnostics.audit_broken": "审计日志：第 {entry} 条起校验失败，请联系网建办",
    # Only on a Raspberry Pi (arm64) box: whether a CSI camera module could be used
    # (appliance/hardware/camera/pi_stack.py); {missing} lists modules or kernel drivers.
    "diagnostics.pi_camera_ok": "树莓派摄像头（CSI）：picamera2 与 libcamera 就绪",
    "diagnostics.pi_camera_missing": "树莓派摄像头（CSI）：不可用，缺少 {missing}；"
    "高拍仪请使用 USB（UVC）摄像头",
    "diagnostics.run": "运行自检",
    "diagnostics.print_slip": "打印自检单",
    "diagnostics.run_hint": "点击“{button}”检查字体、数据库、电子钥匙、高拍仪、打印机、"
    "存储空间、审计日志、分厅服务器和待同步办件",
    "diagnostics.running": "正在自检，请稍候…",
    "diagnostics.done": "自检完成，可打印自检单交网建办",
    "diagnostics.slip_printed": "自检单已打印",
    "diagnostics.slip_not_printed": "自检单未打印：{problem}",
    "diagnostics.slip_interrupted": "自检单未打印完整：{problem}",
    # 待打印回执: one row per receipt (owed.line) with its own print.button_reprint; the
    # home screen's button is home.owed.
    "owed.title": "待打印回执",
    "owed.instruction": "以下回执已受理但未打印，请装好打印纸后逐件重新打印，交给办事人：",
    "owed.none": "没有待打印的回执",
    "owed.printing": "正在打印…",
    "owed.reprinted": "回执 {receipt} 已打印，请交给办事人",
    # --- end of the ui section ------------------------------------------------------------
}


def text(key: str, **fields: object) -> str:
    """The sentence ``key`` with its named placeholders filled in."""
    return ZH[key].format(**fields)

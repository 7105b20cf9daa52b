"""Chinese wording for every issue code: what is wrong and how to retake or fix it.

One place for all user-facing text of the pre-check, so the channels and the CLI say the same.
Templates use ``str.format`` fields filled by the check that found the problem.
"""

from __future__ import annotations

from typing import Any

from bot.precheck.result import Issue, Severity

MESSAGES: dict[str, str] = {
    # file / format
    "bad_format.empty": "文件是空的（0 字节），请重新选择照片发送。",
    "bad_format.heic": "这是苹果手机的 HEIC/HEIF 格式，网上申报只收 JPG 或 PNG。可在 iPhone「设置→相机→格式」选「兼容性最佳」后重拍，或截图/另存为 JPG 再发。",
    "bad_format.webp": "这是 WebP 格式，申报系统只收 JPG 或 PNG。请用相册“另存为 JPG”或截图后再上传；我已按 JPG 标准帮你检查了内容。",
    "bad_format.gif": "这是 GIF 动图，不能作为材料上传。请直接用相机拍一张静态照片（JPG）再发。",
    "bad_format.gif_static": "这是 GIF 格式，申报系统只收 JPG 或 PNG，请另存为 JPG 后再上传。",
    "bad_format.bmp": "这是 BMP 格式，申报系统只收 JPG 或 PNG，请另存为 JPG 后再上传。",
    "bad_format.tiff": "这是 TIFF 格式（常见于扫描仪），申报系统只收 JPG 或 PNG，请在扫描软件里改存为 JPG。",
    "bad_format.pdf": "这是 PDF 文件。上传材料时一般要逐页传图片：请把每一页截图或导出为 JPG 后再发给我检查。",
    "bad_format.zip": "这是压缩包或办公文档（ZIP/Word/Excel 之类），不是照片。请把要上传的那一页拍照或截图成 JPG 再发。",
    "bad_format.unknown": "无法识别这个文件的格式，它不是 JPG 或 PNG 照片。请用手机相机重新拍一张再发。",
    "bad_format.corrupt": "文件不完整或已损坏，打不开。可能是传输中断，请从相册重新发送原图。",
    "bad_format.cmyk": "这张图是印刷用的 CMYK 色彩，部分系统显示会偏色或打不开。建议用下面帮你转好的 JPG，或另存为普通 RGB 的 JPG。",
    "bad_format.16bit": "这张图是 16 位色深，部分系统不认。建议另存为普通 8 位的 JPG/PNG 后再上传。",
    "too_large": "文件有 {size}，超过了这类材料 {limit} 的上限。我可以帮你压缩成符合要求的 JPG；也可以在手机上选“压缩/中等画质”后再发。",
    "too_large.pixels": "图片分辨率高得异常（{pixels}），无法安全打开。请用手机相机正常拍一张，或截图后再发。",
    "low_resolution": "图片太小（短边 {short} 像素，至少需要约 {minimum} 像素），审核时可能看不清。请靠近一些重拍，或发送原图而不是缩略图。",
    # quality
    "blurry": "照片模糊，文字看不清。请在光线充足处拿稳手机，先点一下屏幕上的文件对焦，稍等清晰后再拍。",
    "blurry.motion": "照片有拖影（按快门时手机动了），文字看不清。请双手拿稳手机或把手肘撑在桌上，对焦清晰后再拍，按下快门后停一秒再移开。",
    "glare": "有反光/亮斑盖住了内容。请关掉闪光灯，避开顶灯直射，把手机稍微倾斜一点角度再拍。",
    "too_dark": "照片太暗。请到光线明亮的地方（靠近窗户或开灯）重拍，不要用手或手机挡住光。",
    "too_bright": "照片过曝，内容发白看不清。请避开强光直射，关掉闪光灯，或在屏幕上向下拖动降低亮度后再拍。",
    "low_contrast": "照片发灰、对比度低，文字不够清楚。请把材料放在颜色较深的平整桌面上，在均匀光线下重拍。",
    "cropped": "材料没有拍全，边角或文字被截掉了。请把整份材料完整放进取景框，四周留出一点桌面再拍。",
    "cropped.fields": "没有找到这类材料应有的内容（{missing}），可能没拍全或拍的不是这一面。请把整页完整拍下来再试。",
    # content
    "not_a_document": "照片里没有看到证件或文件。请把要上传的材料平放，正对着拍清楚。",
    "wrong_document": "这张看起来是「{found}」，不是要求的「{expected}」。请确认上传的是哪一份材料或哪一面。",
    "id_number_invalid": "身份证号码读出来校验不通过（可能是拍得不清楚，也可能号码有误）。请拍清楚号码那一行再试。",
    "id_number_missing": "没能读出 18 位身份证号码。请确认是人像面，并把号码那一行拍清楚、不要反光。",
    "id_expired": "身份证有效期限似乎已过（到 {date}）。过期证件通常不能用于办理，请先换领新证或咨询受理窗口。",
    "filing_missing": "材料里没有看到“备案”字样。居住证用的是房管部门出具的《住房租赁合同备案通知书/证明》，普通租房合同一般不能代替，请核对。",
    # portrait
    "face_missing": "没有检测到正面人脸。请正对镜头、露出整张脸（不要戴帽子或墨镜），头部居中再拍。",
    "multiple_faces": "照片里有 {count} 张脸。证件照只能有申请人本人一人，请单独拍摄。",
    "face_size.small": "人脸太小（约占画面宽度的 {ratio}）。头部应占照片约三分之二，请靠近一些或裁剪到头肩部位。",
    "face_size.large": "人脸太大、太贴近镜头（约占画面宽度的 {ratio}）。请稍微退后，露出完整头部和肩膀。",
    "background": "背景不是干净的纯色（白色）。请站在白墙或白布前拍，避免杂物、阴影和花纹。",
    "background.blue": "背景是蓝色。随申办的说明要求白色背景，蓝底可能不被接受，建议换白底重拍。",
    "background.color": "背景颜色不是白色（也不是蓝色）。请站在白墙或白布前重拍。",
    "check_timeout": "这张照片检查时间过长，暂时没有结论。可以稍后再试，或换一张小一些的照片。",
    "check_failed": "这张照片没能检查完（图片可能异常）。请用手机相机重新拍一张，或截图后再发给我。",
}


def make_issue(code: str, severity: Severity, value: Any = None, variant: str = "", **fields: Any) -> Issue:
    """Build an Issue with its Chinese message; ``variant`` picks a more specific wording."""
    key = f"{code}.{variant}" if variant else code
    template = MESSAGES.get(key) or MESSAGES[code]
    return Issue(code=code, severity=severity, message=template.format(**fields), value=value)

"""Chinese search for the published site: word segmentation for the mkdocs-material search index.

mkdocs-material searches with lunr in the browser. lunr splits text into tokens on a separator and
matches query terms against token prefixes; Chinese has no spaces, so a page's prose would be one
long token and ``身份证`` would find nothing. Material's answer is to segment Chinese at build time
(with jieba, when installed) by inserting zero-width spaces (U+200B) between words in the search index
only, and at query time to cut the query greedily into tokens the index already holds.

govstd does the build-time half itself, without jieba: :func:`segment` cuts each run of Han
characters into words by bidirectional maximum matching against a lexicon — a curated list of the
words of government data standards (:data:`BASE_LEXICON`) plus every short Chinese label in the
registry (code labels, aliases) — with the characters it does not know kept in groups rather than
alone, which would derail Material's query segmentation (see :func:`_regroup`). The page
HTML is untouched (copying text never picks up U+200B); only ``search/search_index.json`` is rewritten,
by :mod:`govstd.site.hooks` after the search plugin has written it.

Common names people type that the standard text does not use (``身份证`` for 公民身份号码) are
:data:`SEARCH_KEYWORDS`: shown on the page under 同义名称 and indexed as search tags (boosted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Separator handed to lunr: whitespace, U+200B (our word breaks), ASCII and CJK punctuation.
#: A dot splits only when no digit follows, so ``2261.1`` and ``1.0.0`` stay whole tokens.
SEARCH_SEPARATOR = r"[\s\u200b\u3000\-_,:;!?=\[\]()<>" + "\"'`" + r"/|、。，．？！；：（）《》〈〉【】“”‘’·]+|\.(?!\d)"

# CJK Unified Ideographs, Extension A, compatibility ideographs and the supplementary planes (生僻字).
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
ZWSP = "\u200b"

# Words of government data standards, for segmenting page text. Short words on purpose: lunr matches
# token prefixes, so 公民/身份/号码 lets both 身份 and 公民身份 find 公民身份号码, where one long token
# would only be found by its first characters.
_BASE_WORDS = """
    公民 身份 身份证 证件 号码 居民 居住证 港澳台 香港 澳门 台湾 外国人 永久 居留 护照 出生 日期 出生日期
    性别 民族 国籍 地址 地址码 顺序码 校验码 校验 校验位 本体码 特征 组合 数字 字母 代码 编码 编号 标识 标识符
    手机 电话 移动 号段 姓名 住址 联系 方式 联系方式 证照 签发 有效期 大陆 全国 统一 社会 信用 组织 机构
    组织机构 登记 管理 部门 类别 企业 个体 工商户 农民 专业 合作社 事业 单位 事业单位 机关 团体 社会团体
    基金会 民办 非企业 工会 宗教 民政 外交 司法 文化 旅游 农业 市场 监管 编办 编制 工商 其他 行政 区划
    行政区划 省级 地级 县级 直辖 直辖市 自治区 自治州 自治县 撤销 现行 有效 无效 历史 变更 中华人民共和国
    中国 国家 标准 国家标准 推荐 数据 数据元 元素 字段 值域 代码集 代码表 注册 注册机构 提交 注册状态 状态
    版本 首选 候选 记录 合格 替代 已替代 废止 已废止 不完整 未处理 定义 说明 表示 格式 表示格式 示例 原因
    脱敏 规则 下载 最新 发布 时间 发布时间 兼容 不兼容 破坏 破坏性 差异 比较 建议 升级 政务 信息 资源
    信息资源 目录 资源目录 指南 分类 提供方 摘要 更新 周期 更新周期 共享 无条件 有条件 不予 类型 条件 开放
    属性 分级 一般 重要 核心 信息项 主键 必填 长度 数据类型 字符型 整数型 数值型 布尔型 日期型 日期时间型
    个人 个人信息 敏感 服务 事项 基本 实施 清单 主体 行使 层级 许可 处罚 强制 征收 给付 检查 确认 奖励 裁决
    权力 公共 设定 依据 办理 业务 乡镇 街道 社区 男性 女性 未知 未说明 公历 年月日 质量 评分 评分卡 规范性
    完整性 准确性 一致性 时效性 可访问性 算法 选项 模式 正则 表达式 正则表达式 字符 位数 前缀 后缀 保留
    其余 替换 替代 结果 原值 新值 路径 影响 来源 许可证 提交机构 注册库 注册表 网站 文档 接口 文件 库表
    号码本体 检验 错误 不符 不是 允许 接受 拒绝 转换 老号码 升位 科学计数法 损坏 前导 空格 全角
    半角 小写 大写 城市 省份 区县 地区 区域 代码值 名称 中文 英文 别名 常用 同义 同义名称 使用 说明书
    人口 户籍 户口 基础 法人 营业执照 养老 医疗 保险 社保 教育 住房 公积金 税务 纳税人 不动产 婚姻 死亡
    迁移 审批 备案 证明 申请 受理 办结 时限 窗口 材料 电子证照 统计 财政 预算 交通 车辆 驾驶证 机动车 卫生
    健康 医院 学校 学生 教师 就业 失业 退休 低保 救助 残疾人 老年人 儿童 妇女 罗马 拼写 字母 公安 分局
    民政部 公安部 条例 办法 规定 通知 核发 准养 犬只 饲养 核验 使用 提供 交换 采集 部门 各地 地方 省级
    命令 命令行 参考 入门 文档 教程 安装 配置 选项 参数 输出 输入 报告 校验器 数据集 管道
"""
BASE_LEXICON: frozenset[str] = frozenset(_BASE_WORDS.split())

#: Names people search by that the standard's own text does not contain (keyed by entry id).
#: Presentation data for search only; an entry's own ``aliases`` are indexed as well.
SEARCH_KEYWORDS: dict[str, tuple[str, ...]] = {
    "GB11643": ("身份证", "身份证号", "身份证号码", "居民身份证号码", "ID number"),
    "GB32100": ("信用代码", "社会信用代码", "营业执照号码", "USCC"),
    "GB11714": ("组织机构代码证",),
    "GBT2260": ("区划代码", "地区代码", "行政区代码", "省市县代码"),
    "GBT2261.1": ("性别代码",),
    "GBT3304": ("民族代码",),
    "mobile_phone": ("手机号", "手机号码", "电话号码"),
    "residence_permit_hmt": ("港澳居民居住证", "台湾居民居住证"),
    "foreign_permanent_residence_id": ("永久居留证", "绿卡"),
    "GBT7408": ("日期格式",),
}


def is_han(text: str) -> bool:
    return bool(text) and _HAN_RUN.fullmatch(text) is not None


class Lexicon:
    """A word list for maximum-matching segmentation."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: set[str] = set(BASE_LEXICON)
        self.add(words, max_len=8)

    def add(self, words: Iterable[str], *, max_len: int = 4) -> None:
        """Add the Chinese words of ``words`` up to ``max_len`` characters (longer ones would hide
        their parts from prefix search)."""
        for word in words:
            word = word.strip()
            if 2 <= len(word) <= max_len and is_han(word):
                self.words.add(word)
        self.max_len = max((len(w) for w in self.words), default=1)

    def cut(self, run: str) -> list[str]:
        """Words of one run of Han characters: the better of forward and backward maximum matching,
        with the characters the lexicon does not know regrouped (see :func:`_regroup`)."""
        forward = self._forward(run)
        backward = self._backward(run)

        def cost(words: list[str]) -> tuple[int, int]:
            return (len(words), sum(1 for w in words if len(w) == 1))

        return _regroup(forward if cost(forward) < cost(backward) else backward)

    def _forward(self, run: str) -> list[str]:
        words, i = [], 0
        while i < len(run):
            for size in range(min(self.max_len, len(run) - i), 0, -1):
                if size == 1 or run[i : i + size] in self.words:
                    words.append(run[i : i + size])
                    i += size
                    break
        return words

    def _backward(self, run: str) -> list[str]:
        words: list[str] = []
        j = len(run)
        while j > 0:
            for size in range(min(self.max_len, j), 0, -1):
                if size == 1 or run[j - size : j] in self.words:
                    words.append(run[j - size : j])
                    j -= size
                    break
        words.reverse()
        return words

    def dump(self) -> str:
        return "\n".join(sorted(self.words)) + "\n"

    @classmethod
    def load(cls, text: str) -> Lexicon:
        return cls(text.split())


def _regroup(words: list[str]) -> list[str]:
    """No single-character tokens where it can be helped.

    Material cuts a query greedily into the longest tokens the index holds that start at each position;
    a stray one-character token (基 from an unknown 基础) would turn the query 基诺族 into 基*, which
    matches every page with a word starting 基. So consecutive unknown characters stay together (split
    into pairs when longer than four: most Chinese words have two characters), and a lone character
    joins the word before it (or after it, at the start of a run).
    """
    out: list[str] = []
    pending = ""
    for word in [*words, ""]:
        if len(word) == 1:
            pending += word
            continue
        if pending:
            if len(pending) > 4:
                pairs = [pending[i : i + 2] for i in range(0, len(pending), 2)]
                if len(pairs[-1]) == 1:
                    pairs[-2:] = [pairs[-2] + pairs[-1]]
                out += pairs
            elif len(pending) > 1:
                out.append(pending)
            elif out:
                out[-1] += pending
            elif word:
                word = pending + word
            else:
                out.append(pending)
            pending = ""
        if word:
            out.append(word)
    return out


def segment(text: str, lexicon: Lexicon) -> str:
    """``text`` with U+200B between the words of every Han run (what Material does with jieba)."""

    def cut(match: re.Match[str]) -> str:
        return ZWSP + ZWSP.join(lexicon.cut(match.group(0))) + ZWSP

    return _HAN_RUN.sub(cut, text).strip(ZWSP)

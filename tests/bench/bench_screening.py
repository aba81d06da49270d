"""PRJ-4 duplicate screening (issue 3): one application against 50,000 stored documents.

A synthetic corpus with a fixed seed: titles and abstracts built from a vocabulary of technical
Chinese words, funded projects over nine years and applications of this and earlier years.
Near-duplicates are planted by editing stored documents (words replaced, sentences inserted,
dropped and reordered, keywords changed) at intensities that spread their similarity around the
threshold. Each query runs ``service.screen`` on a SQLite database (rolled back afterwards) and
its flags are compared with brute-force exact Jaccard over the same tokens of every eligible
document. A second section compares bigrams with trigrams on a sample (why SCHEME uses trigrams).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sqlalchemy import insert

from services.projects.rules import similarity as sim
from services.projects.screening import service
from services.projects.screening.index import ScreeningIndex
from services.projects.screening.models import ScreenedDocument
from shared.db import Database
from tests.bench.harness import percentiles
from tests.conftest import migrate

SEED = 20261126
STORED = 50_000
QUERIES = 300
PLANTED = 240
YEAR = 2026


def _w(words: str) -> list[str]:
    return words.split()


DOMAINS = {
    "农业": "黑土地 保护性耕作 秸秆还田 玉米 大豆 水稻 种质资源 分子育种 土壤有机质 节水灌溉 病虫害 绿色防控 "
    "农机装备 智慧农业 测土配方 盐碱地 肉牛 梅花鹿 人参 食用菌 黑木耳 冷链 粮食安全 耕地质量",
    "光电": "半导体激光器 外延 量子阱 光纤 红外探测 光刻 衍射光栅 空间相机 遥感载荷 光谱仪 微纳光学 "
    "自由曲面 超精密加工 光电编码器 激光雷达 太赫兹 量子点 发光二极管 薄膜 像质 标定",
    "汽车": "新能源汽车 动力电池 热管理 电驱动 整车控制器 自动驾驶 线控底盘 轻量化 车身 氢燃料电池 "
    "电机 变速器 车联网 域控制器 功能安全 智能座舱 碳纤维 铝合金 装配 台架试验 标定",
    "医药": "中药材 人参皂苷 化学药 生物制剂 单克隆抗体 疫苗 靶点 药代动力学 制剂工艺 质量标准 "
    "临床前研究 细胞治疗 基因检测 医疗器械 影像诊断 肿瘤 糖尿病 心血管 微生物组 生物标志物",
    "化工": "石油化工 催化剂 聚合物 高分子材料 碳纤维复合材料 稀土 生物基材料 乙烯 精细化工 "
    "分离膜 电解液 涂层 胶黏剂 废水处理 绿色合成 反应器 工艺包 能耗 副产物 回收",
    "信息": "人工智能 深度学习 大模型 知识图谱 工业互联网 边缘计算 区块链 数据安全 隐私计算 "
    "数字孪生 云平台 物联网 传感器 视觉检测 语音识别 推荐算法 算力调度 软件架构 开源",
    "能源": "风电 光伏 储能 氢能 电网调度 智能电网 生物质能 地热 煤炭清洁利用 碳捕集 "
    "电解水制氢 燃料电池 余热回收 能效 负荷预测 微电网 变流器 功率预测",
    "生态": "湿地 松花江 长白山 生物多样性 水环境 大气污染 土壤修复 固废 碳汇 森林经营 "
    "黑土侵蚀 生态补偿 水源涵养 野生动物 监测网络 遥感监测 面源污染 再生利用",
}
ACTIONS = _w("研究 分析 揭示 构建 研制 开发 集成 优化 验证 建立 阐明 突破 攻克 设计 评估 示范 推广")
OBJECTS = _w(
    "机理 关键技术 技术体系 评价方法 模型 装备 样机 工艺 平台 标准 数据库 系统 方案 策略 规律 "
    "控制方法 检测方法 材料 器件 算法"
)
QUALIFIERS = _w(
    "高效 低成本 绿色 智能 精准 高可靠 规模化 国产化 自主可控 多尺度 全流程 在线 快速 长寿命 高灵敏 低温 高通量"
)
OPENERS = ["针对", "围绕", "面向", "聚焦", "结合", "基于"]
PROBLEMS = _w("瓶颈 难题 不足 短板 需求 问题 挑战 风险")
PLACES = _w("长春 吉林 四平 辽源 通化 白山 松原 白城 延边 梅河口 公主岭 珲春")
TAILS = [
    "为产业发展提供技术支撑",
    "形成具有自主知识产权的成果",
    "在省内企业实现推广应用",
    "申请发明专利若干项",
    "培养科技人才队伍",
    "建成示范基地",
    "实现工程化应用",
    "为政府决策提供依据",
    "带动相关产业升级",
]


def _vocab() -> dict[str, list[str]]:
    return {k: v.split() for k, v in DOMAINS.items()}


def sentence(rng: random.Random, words: list[str]) -> list[str]:
    kind = rng.randrange(4)
    w = rng.choice
    if kind == 0:
        return [
            w(OPENERS),
            w(words),
            w(words),
            "存在的",
            w(PROBLEMS),
            "，",
            "本项目拟",
            w(ACTIONS),
            w(words),
            w(OBJECTS),
        ]
    if kind == 1:
        return [
            w(ACTIONS),
            w(QUALIFIERS),
            w(words),
            w(OBJECTS),
            "，",
            w(ACTIONS),
            w(words),
            "与",
            w(words),
            "的",
            w(OBJECTS),
        ]
    if kind == 2:
        return ["在", w(PLACES), "等地", w(ACTIONS), w(words), w(OBJECTS), "，", w(TAILS)]
    return ["通过", w(words), "与", w(words), "协同", "，", w(ACTIONS), w(QUALIFIERS), w(OBJECTS), "，", w(TAILS)]


def make_doc(rng: random.Random, vocab: dict[str, list[str]]) -> dict[str, Any]:
    domain = rng.choice(list(vocab))
    words = vocab[domain] + vocab[rng.choice(list(vocab))][:6]
    sentences = [sentence(rng, words) for _ in range(rng.randint(9, 16))]
    title = [
        rng.choice(words),
        rng.choice(words),
        rng.choice(QUALIFIERS),
        rng.choice(OBJECTS),
        rng.choice(["研究", "研究与示范", "研发及产业化", "开发与应用"]),
    ]
    keywords = rng.sample(words, rng.randint(3, 5))
    return {"title": title, "sentences": sentences, "keywords": keywords, "words": words}


def render(doc: dict[str, Any]) -> tuple[str, str, list[str]]:
    return "".join(doc["title"]), "。".join("".join(s) for s in doc["sentences"]) + "。", list(doc["keywords"])


def plant(rng: random.Random, doc: dict[str, Any], vocab: dict[str, list[str]]) -> dict[str, Any]:
    """A near-duplicate at a random intensity: words replaced, sentences added, dropped, reordered."""
    level = rng.uniform(0.0, 0.3)
    words = doc["words"]
    sentences = [list(s) for s in doc["sentences"]]
    for s in sentences:
        for i in range(len(s)):
            if s[i] not in ("，", "的", "与") and rng.random() < level:
                s[i] = rng.choice(words + ACTIONS + OBJECTS)
    for _ in range(int(level * 10)):
        if rng.random() < 0.5 and len(sentences) > 4:
            sentences.pop(rng.randrange(len(sentences)))
        else:
            sentences.insert(rng.randrange(len(sentences) + 1), sentence(rng, words))
    if rng.random() < 0.5:
        rng.shuffle(sentences)  # reordering keeps most n-grams
    title = list(doc["title"])
    if rng.random() < level * 2:
        title[rng.randrange(len(title))] = rng.choice(words)
    keywords = list(doc["keywords"])
    if rng.random() < level * 2:
        keywords[rng.randrange(len(keywords))] = rng.choice(words)
    return {"title": title, "sentences": sentences, "keywords": keywords, "words": words}


def corpus_meta(rng: random.Random, i: int) -> tuple[str, int]:
    r = rng.random()
    if r < 0.5:
        return "funded", rng.randint(YEAR - 8, YEAR)  # years 2018..2026: a third outside the window
    if r < 0.8:
        return "application", YEAR
    return "application", rng.randint(YEAR - 4, YEAR - 1)


def brute_force_matrix(hashes: list[np.ndarray]) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    allh = np.concatenate(hashes)
    vocab, cols = np.unique(allh, return_inverse=True)
    rows = np.repeat(np.arange(len(hashes)), [h.size for h in hashes])
    m = sparse.csr_matrix((np.ones(allh.size, dtype=np.int32), (rows, cols)), shape=(len(hashes), vocab.size))
    return m.tocsc(), vocab, np.array([h.size for h in hashes])


def exact_scores(m: sparse.csc_matrix, vocab: np.ndarray, sizes: np.ndarray, q: np.ndarray) -> np.ndarray:
    pos = np.clip(np.searchsorted(vocab, q), 0, vocab.size - 1)
    pos = pos[vocab[pos] == q]
    inter = np.asarray(m[:, pos].sum(axis=1)).ravel() if pos.size else np.zeros(sizes.size)
    union = sizes + q.size - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def shingle_comparison(rng: random.Random, vocab: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Bigrams against trigrams on 5,000 documents and 200 planted pairs."""
    docs = [make_doc(rng, vocab) for _ in range(5000)]
    pairs = [(rng.randrange(len(docs)), None) for _ in range(200)]
    planted = [plant(rng, docs[i], vocab) for i, _ in pairs]
    out: list[tuple[str, str]] = []
    policy = sim.ScreeningPolicy()
    for n in (2, 3):
        scheme = sim.SignatureScheme(shingle_size=n)
        bands, rows = sim.lsh_bands(policy.threshold, scheme.num_perm, policy.target_recall)
        hs = [sim.hash_set(sim.tokens(*render(d), scheme=scheme)) for d in docs]
        keys = sim.band_keys(np.stack([sim.signature(h, scheme).hashvalues for h in hs]), bands, rows, scheme.seed)
        above, cands, background = 0, [], []
        for (i, _), p in zip(pairs, planted, strict=True):
            qh = sim.hash_set(sim.tokens(*render(p), scheme=scheme))
            above += sim.jaccard(qh, hs[i]) >= policy.threshold
            qk = sim.band_keys(sim.signature(qh, scheme).hashvalues, bands, rows, scheme.seed)[0]
            cands.append(int((keys == qk).any(axis=1).sum()))
            background.append(sim.jaccard(qh, hs[(i + 1) % len(hs)]))
        out.append((f"n={n}: planted pairs >= threshold", f"{above}/{len(pairs)}"))
        out.append((f"n={n}: background Jaccard (unrelated pair) median", f"{statistics.median(background):.3f}"))
        out.append((f"n={n}: LSH candidates per query of 5,000 (median)", f"{statistics.median(cands):.0f}"))
    return out


async def run() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    vocab = _vocab()
    out: list[tuple[str, str]] = []

    t0 = time.perf_counter()
    docs = [make_doc(rng, vocab) for _ in range(STORED)]
    meta = [corpus_meta(rng, i) for i in range(STORED)]
    texts = [render(d) for d in docs]
    out.append(
        (
            "corpus",
            f"{STORED:,} documents, abstract {statistics.mean(len(t[1]) for t in texts):.0f} "
            f"chars on average, title {statistics.mean(len(t[0]) for t in texts):.0f}",
        )
    )
    t1 = time.perf_counter()
    signed = [service.sign(*t) for t in texts]
    sign_ms = (time.perf_counter() - t1) / STORED * 1000
    out.append(("signing (tokens + hashes + MinHash) per document", f"{sign_ms:.2f} ms"))

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'projects.db'}"
        await asyncio.to_thread(migrate, "projects", url, "projects")
        db = Database(url, "projects")
        rows = [
            {
                "source": "projects",
                "kind": kind,
                "reference_id": f"D{i}",
                "year": year,
                "title": t[0],
                "abstract": t[1],
                "keywords": t[2],
                "scheme": sim.SCHEME.name,
                "token_count": s.token_count,
                "signature": s.signature,
                "token_hashes": sim.pack_hashes(s.hashes),
            }
            for i, ((kind, year), t, s) in enumerate(zip(meta, texts, signed, strict=True))
        ]
        async with db.sessionmaker() as session:
            for start in range(0, len(rows), 2000):
                await session.execute(insert(ScreenedDocument), rows[start : start + 2000])
            await session.commit()
        out.append(("corpus generated and stored (SQLite)", f"{time.perf_counter() - t0:.1f} s"))

        index = ScreeningIndex()
        async with db.sessionmaker() as session:
            t1 = time.perf_counter()
            await index.refresh(session)
            build = time.perf_counter() - t1
            tracemalloc.start()
            probe = ScreeningIndex()
            await probe.refresh(session)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            del probe
        out.append(
            (
                "index build from the table",
                f"{build:.2f} s for {len(index):,} documents ({index.bands} bands x {index.rows} rows)",
            )
        )
        out.append(
            (
                "index memory",
                f"{index.nbytes / 2**20:.1f} MiB held ({index.nbytes / len(index):.0f} B per "
                f"document); peak while building {peak / 2**20:.0f} MiB",
            )
        )

        # brute force over the same tokens, restricted to what PRJ-4 compares with
        lo, hi = index.policy.funded_years(YEAR)
        eligible = np.array([(k == "application" and y == YEAR) or (k == "funded" and lo <= y <= hi) for k, y in meta])
        matrix, token_vocab, sizes = brute_force_matrix([s.hashes for s in signed])
        doc_ids = {f"D{i}": i for i in range(STORED)}

        queries: list[tuple[str, str, list[str]]] = []
        for q in range(QUERIES):
            if q < PLANTED:
                queries.append(render(plant(rng, docs[rng.randrange(STORED)], vocab)))
            else:
                queries.append(render(make_doc(rng, vocab)))

        times: list[float] = []
        tp = fp = fn = 0
        truth_scores: list[float] = []
        candidates: list[int] = []
        for n, (title, abstract, keywords) in enumerate(queries):
            async with db.sessionmaker() as session:
                t1 = time.perf_counter()
                flags = await service.screen(
                    session,
                    index,
                    application_id=10**9 + n,
                    year=YEAR,
                    title=title,
                    abstract=abstract,
                    keywords=keywords,
                )
                times.append((time.perf_counter() - t1) * 1000)
                await session.rollback()
            qh = service.sign(title, abstract, keywords).hashes
            candidates.append(len(index.candidates(service.sign(title, abstract, keywords).hashvalues)))
            scores = exact_scores(matrix, token_vocab, sizes, qh)
            truth = {int(i) for i in np.flatnonzero(eligible & (scores >= index.policy.threshold))}
            truth_scores.extend(float(scores[i]) for i in truth)
            found = {doc_ids[f.matched_reference_id] for f in flags}
            tp += len(found & truth)
            fp += len(found - truth)
            fn += len(truth - found)

        stats = percentiles(times)
        out.append(
            (
                "screen() per application (SQLite, flags written)",
                f"median {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, p99 {stats['p99']:.1f} ms",
            )
        )
        out.append(("LSH candidates per query", f"median {statistics.median(candidates):.0f}, max {max(candidates)}"))
        near = sum(1 for s in truth_scores if s < 0.7)
        out.append(
            (
                "true pairs (brute force, Jaccard >= 0.6)",
                f"{len(truth_scores)} over {QUERIES} queries ({PLANTED} planted), {near} of them in [0.6, 0.7)",
            )
        )
        recall = tp / (tp + fn) if tp + fn else 1.0
        precision = tp / (tp + fp) if tp + fp else 1.0
        out.append(
            ("recall / precision against brute force", f"{recall:.3f} / {precision:.3f} (tp {tp}, fn {fn}, fp {fp})")
        )
        await db.dispose()

    out.extend(shingle_comparison(random.Random(SEED + 1), vocab))
    return out

"""SKU embeddings from orders: SKU2Vec in PyTorch, the gensim Word2Vec baseline, and their evaluation.

Modules: `vectors` (Embeddings keyed by SKU id), `orders` (vocabulary, batches, sentences), `sku2vec`,
`word2vec`, `evaluate` (week splits, leave-one-out hit@k and MRR), `neighbours` (neighbour tables, planted
looks, maps), `compare` (every method on one split), `commands` (`skulab embed`, `skulab bench embed`).
"""

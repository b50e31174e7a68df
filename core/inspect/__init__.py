"""Views inside the models the app already loads: attention weights of every layer and head
(attention), and the next-token prediction after every layer, the "logit lens" (lens).

    from core.inspect import attention, lens
    seen = attention.attention("The cat sat on the mat.", "chat")
    seen.matrix(layer=1, head=1)        # W: row i = how token i mixes the tokens j (sums to 1)
    lens.logit_lens("The capital of France is").cells[-1][-1]   # the model's own prediction
"""

register(
    "pretrained_lasso",
    experiments={
        "stratified_gaussian": {},
        "stage1_lambda": {},
        "support_recovery": {},
        "alpha_choice": {},
        "binomial": {},
        "cate": {},
        "diabetes": {},
    },
    figures={
        "gaussian_error_vs_alpha": ["stratified_gaussian"],
        "gaussian_per_group": ["stratified_gaussian"],
        "stage1_lambda": ["stage1_lambda"],
        "support_recovery": ["support_recovery"],
        "alpha_choice": ["alpha_choice"],
        "binomial": ["binomial"],
        "cate": ["cate"],
        "diabetes": ["diabetes"],
    },
)


rule pretrained_lasso:
    input:
        paper_targets("pretrained_lasso"),
